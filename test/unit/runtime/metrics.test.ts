import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../lib/runtime/logger.ts';
import {
  createMetrics,
  METRICS_NAMESPACE,
  ringCentralHooks,
} from '../../../lib/runtime/metrics.ts';

// The suite runs with logs silenced and metrics off (vitest.config.ts); these tests read both.
beforeEach(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function captureOutput(
  act: () => void | Promise<void>,
): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const collect = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(collect);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(collect);
  try {
    await act();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('ringCentralHooks', () => {
  it('counts requests, waits, retries and 429s as EMF metrics and logs each wait, retry and 429', async () => {
    // Prepare
    const logger = createLogger('hooks-test');
    const metrics = createMetrics('hooks-test');
    const hooks = ringCentralHooks(logger, metrics);
    const info = {
      method: 'POST',
      url: 'http://127.0.0.1/restapi/v1.0/account/~/extension/~/sms',
      group: 'Medium' as const,
      attempt: 1,
    };

    // Act
    const records = await captureOutput(() => {
      hooks.onResponse?.({ ...info, status: 200, durationMs: 12.4, rateLimit: { remaining: 3 } });
      hooks.onResponse?.({ ...info, status: 429, durationMs: 3, rateLimit: {} });
      hooks.onRateLimited?.({ ...info, retryAfterMs: 60_000, rateLimit: {} });
      hooks.onWait?.({ group: 'Medium', reason: 'backoff', waitMs: 250 });
      hooks.onRetry?.({ ...info, attempt: 2, reason: 'rate-limited', delayMs: 60_000 });
      metrics.publishStoredMetrics();
    });

    // Assess
    const emf = records.find((record) => '_aws' in record);
    expect(emf).toMatchObject({
      RingCentralRequests: [1, 1],
      RingCentral429s: 1,
      RateLimitWaits: 1,
      RateLimitWaitTime: 250,
      RingCentralRetries: 1,
    });
    expect(JSON.stringify(emf)).toContain(METRICS_NAMESPACE);
    const messages = records
      .filter((record) => 'message' in record)
      .map((record) => record.message);
    expect(messages.sort()).toEqual([
      'Retrying a RingCentral request',
      'RingCentral answered 429',
      'Waiting for the RingCentral rate limit',
    ]);
  });
});

describe('createMetrics', () => {
  it("writes its own warnings as the function's structured log lines", async () => {
    // Prepare
    const logger = createLogger('empty-flush-test');
    const metrics = createMetrics('empty-flush-test', logger);

    // Act
    const records = await captureOutput(() => {
      metrics.publishStoredMetrics();
    });

    // Assess
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      level: 'WARN',
      service: 'empty-flush-test',
      message: expect.stringContaining('No application metrics to publish'),
    });
  });
});
