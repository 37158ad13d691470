import { describe, expect, it } from 'vitest';
import { getContract, type Harness, harnessPerTest } from './harness.ts';

describe('local RingCentral rate limits', () => {
  let harness: Harness;
  const start = harnessPerTest();

  it('counts per group with X-Rate-Limit headers, answers 429 CMN-301 with Retry-After, and restarts the penalty', async () => {
    // Prepare (Heavy: 3 per 60 s, scaled by 0.01 => 0.6 s window, penalty 60 s => 0.6 s), on a
    // clock the test moves instead of sleeping
    let clock = Date.now();
    harness = await start({
      rateLimits: {
        enabled: true,
        windowScale: 0.01,
        groups: { Heavy: { limit: 3, windowSeconds: 60 } },
        now: () => clock,
      },
    });
    const report = () =>
      fetch(`${harness.emulator.url}/restapi/v1.0/account/~/message-store-report/none`, {
        headers: harness.auth,
      });

    // Act
    const allowed = [await report(), await report(), await report()];
    const refused = await report();
    const refusedBody = await refused.json();
    clock += 400;
    const duringPenalty = await report(); // restarts the 0.6 s penalty
    clock += 400;
    const stillPenalised = await report(); // 0.8 s after the first 429, but only 0.4 s after the restart
    clock += 700;
    const afterPenalty = await report();
    const light = await fetch(harness.ext('/message-store'), { headers: harness.auth });

    // Assess
    expect(allowed.map((response) => response.headers.get('x-rate-limit-remaining'))).toEqual([
      '2',
      '1',
      '0',
    ]);
    expect(allowed[0]?.headers.get('x-rate-limit-group')).toBe('Heavy');
    expect(allowed[0]?.headers.get('x-rate-limit-limit')).toBe('3');
    expect(allowed[0]?.headers.get('x-rate-limit-window')).toBe('0.6');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refusedBody).toMatchObject({ errorCode: 'CMN-301', errors: [{ errorCode: 'CMN-301' }] });
    expect(duringPenalty.status).toBe(429);
    expect(stillPenalised.status).toBe(429);
    expect(afterPenalty.status).toBe(404);
    expect(light.status).toBe(200);
    expect(light.headers.get('x-rate-limit-group')).toBe('Light');
    expect(harness.emulator.stats().tooManyRequestsByGroup.Heavy).toBe(3);
    expect(harness.emulator.stats().requestsByGroup.Heavy).toBe(7);
  });

  it('puts every route in the throttling group the spec names', async () => {
    // Prepare
    harness = await start({ rateLimits: { enabled: true } });
    const contract = await getContract();
    const requests: Array<[string, string]> = [
      ['GET', '/restapi/v1.0/account/~/extension/~/message-store'],
      ['GET', '/restapi/v1.0/account/~/extension/~/message-sync'],
      ['GET', '/restapi/v1.0/account/~/message-store-configuration'],
      ['GET', '/restapi/v1.0/dictionary/fax-cover-page'],
      ['GET', '/restapi/v1.0/subscription'],
      ['DELETE', '/restapi/v1.0/account/~/extension/~/message-store/1'],
      ['GET', '/restapi/v1.0/account/~/message-store-report/x'],
    ];

    // Act
    const groups = [];
    for (const [method, path] of requests) {
      const response = await fetch(`${harness.emulator.url}${path}`, {
        method,
        headers: harness.auth,
      });
      await response.arrayBuffer();
      groups.push([
        response.headers.get('x-rate-limit-group'),
        contract.matchOperation(method, path)?.group,
      ]);
    }

    // Assess
    for (const [actual, declared] of groups) expect(actual).toBe(declared);
  });
});

describe('local RingCentral fault injection and inspection', () => {
  let harness: Harness;
  const start = harnessPerTest();

  it('answers every request with a 5xx error body at errorRate 1, set at start', async () => {
    // Prepare
    harness = await start();
    harness.emulator.setFaults({ errorRate: 1 });

    // Act
    const response = await fetch(harness.ext('/message-store'), { headers: harness.auth });
    const body = (await response.json()) as { errors: Array<{ errorCode: string }> };

    // Assess
    expect([500, 503]).toContain(response.status);
    expect(body.errors[0]?.errorCode).toMatch(/^CMN-/);
  });

  it('storms 429s and adds latency, set at run time over HTTP, and reports stats', async () => {
    // Prepare
    harness = await start();
    const { url } = harness.emulator;
    await fetch(`${url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tooManyRequests: true, latencyMs: 150 }),
    });

    // Act
    const started = Date.now();
    const storm = await fetch(harness.ext('/message-store'), { headers: harness.auth });
    const elapsed = Date.now() - started;
    await fetch(`${url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const calm = await fetch(harness.ext('/message-store'), { headers: harness.auth });
    const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as {
      tooManyRequestsByGroup: { Light: number };
      requestsByGroup: { Light: number };
    };
    await fetch(`${url}/__emulator/reset-stats`, { method: 'POST' });
    const reset = harness.emulator.stats();

    // Assess
    expect(storm.status).toBe(429);
    expect(storm.headers.get('retry-after')).not.toBeNull();
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(calm.status).toBe(200);
    expect(stats.tooManyRequestsByGroup.Light).toBe(1);
    expect(stats.requestsByGroup.Light).toBe(2);
    expect(reset.requests).toBe(0);
  });

  it('drops the connection mid-body of a download', async () => {
    // Prepare
    harness = await start();
    const attachment = harness.emulator.mailbox
      .messages('101001')
      .flatMap((message) => message.attachments)
      .find((candidate) => candidate.size > 100_000);
    harness.emulator.setFaults({ dropMidBodyRate: 1, dropAfterBytes: 70_000 });

    // Act
    const response = await fetch(attachment?.uri ?? '', { headers: harness.auth });
    let received = 0;
    const failure = await (async () => {
      try {
        for await (const chunk of response.body ?? []) received += (chunk as Uint8Array).length;
        return undefined;
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(response.status).toBe(200);
    expect(failure).toBeInstanceOf(Error);
    expect(received).toBeLessThanOrEqual(70_000);
    expect(received).toBeLessThan(attachment?.size ?? 0);
  });
});
