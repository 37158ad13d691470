import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createRingCentral,
  DeadlineExceededError,
  ServerError,
  staticTokenSource,
  TransportError,
} from '../../../lib/ringcentral/index.ts';
import {
  ExchangeTracker,
  runOnVirtualClock,
  useVirtualClock,
} from '../../support/virtual-clock.ts';
import type { TestServer } from './support/http-server.ts';
import { sendJson, startServer } from './support/http-server.ts';

const FAST = { backoff: { baseMs: 40, maxMs: 100, maxRetries: 3 } };
const UNAVAILABLE = {
  errors: [{ errorCode: 'CMN-211', message: 'Service temporarily unavailable' }],
};

describe('retries', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('retries a GET answered 503 with doubling backoff, then succeeds', async () => {
    // Prepare
    server = await startServer((_request, response) => {
      if (server!.requests.length <= 2) sendJson(response, 503, UNAVAILABLE);
      else sendJson(response, 200, { id: 5 });
    });
    const delays: number[] = [];
    const rc = createRingCentral({
      server: server.url,
      tokenSource: staticTokenSource('t'),
      limits: FAST,
      hooks: { onRetry: (info) => delays.push(info.delayMs) },
    });

    // Act
    const record = await rc.messages.get('5');

    // Assess
    expect(record.id).toBe('5');
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([40, 80]);
    expect(server.requests[2]!.at - server.requests[1]!.at).toBeGreaterThanOrEqual(75);
  });

  it('stops after maxRetries and reports the server error', async () => {
    // Prepare
    server = await startServer((_request, response) => sendJson(response, 500, UNAVAILABLE));
    const rc = createRingCentral({
      server: server.url,
      tokenSource: staticTokenSource('t'),
      limits: FAST,
    });

    // Act
    const attempt = rc.messages.get('5');

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ServerError);
    await expect(attempt).rejects.toMatchObject({ status: 500, errorCode: 'CMN-211' });
    expect(server.requests).toHaveLength(4);
  });

  it('never repeats a POST answered 503', async () => {
    // Prepare
    server = await startServer((_request, response) => sendJson(response, 503, UNAVAILABLE));
    const rc = createRingCentral({
      server: server.url,
      tokenSource: staticTokenSource('t'),
      limits: FAST,
    });

    // Act
    const attempt = rc.sms.send({ from: '+16505550100', to: ['+16505550101'], text: 'once' });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ServerError);
    expect(server.requests).toHaveLength(1);
  });

  it('never repeats a POST whose connection dropped after it was sent', async () => {
    // Prepare
    server = await startServer((_request, _response, raw) => {
      raw.socket.destroy();
    });
    const rc = createRingCentral({
      server: server.url,
      tokenSource: staticTokenSource('t'),
      limits: FAST,
    });

    // Act
    const attempt = rc.sms.send({ from: '+16505550100', to: ['+16505550101'], text: 'once' });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(TransportError);
    await expect(attempt).rejects.toMatchObject({ mayHaveBeenReceived: true });
    expect(server.requests).toHaveLength(1);
  });

  it('repeats a GET whose connection dropped', async () => {
    // Prepare
    server = await startServer((_request, response, raw) => {
      if (server!.requests.length === 1) raw.socket.destroy();
      else sendJson(response, 200, { retentionPeriod: 14 });
    });
    const rc = createRingCentral({
      server: server.url,
      tokenSource: staticTokenSource('t'),
      limits: FAST,
    });

    // Act
    const configuration = await rc.configuration.get();

    // Assess
    expect(configuration.retentionPeriod).toBe(14);
    expect(server.requests).toHaveLength(2);
  });

  it('retries a POST answered 429 after the penalty: the server did not process it', async () => {
    // Prepare
    server = await startServer((_request, response) => {
      if (server!.requests.length === 1) {
        sendJson(
          response,
          429,
          { errors: [{ errorCode: 'CMN-301', message: 'Request rate exceeded' }] },
          { 'retry-after': '0.2' },
        );
      } else {
        sendJson(response, 200, { id: 77 });
      }
    });
    const rc = createRingCentral({
      server: server.url,
      tokenSource: staticTokenSource('t'),
      limits: FAST,
    });

    // Act
    const sent = await rc.sms.send({ from: '+16505550100', to: ['+16505550101'], text: 'again' });

    // Assess
    expect(sent.id).toBe('77');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(190);
  });

  /**
   * On the virtual clock the deadline and the backoff are exact: "at once" means before either
   * passed, however slowly the machine runs.
   */
  describe('against the deadline', () => {
    let tracker = new ExchangeTracker();
    beforeEach(() => {
      tracker = new ExchangeTracker();
      useVirtualClock();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('fails at once when the backoff would pass the deadline', async () => {
      // Prepare
      server = await startServer((_request, response) => sendJson(response, 503, UNAVAILABLE));
      const rc = createRingCentral({
        server: server.url,
        tokenSource: staticTokenSource('t'),
        limits: { backoff: { baseMs: 2_000 } },
        fetch: tracker.fetch,
      });
      const started = Date.now();

      // Act
      const attempt = runOnVirtualClock(
        rc.messages.get('5', { deadline: Date.now() + 1_000 }),
        tracker,
      );

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(DeadlineExceededError);
      await expect(attempt).rejects.toThrow(/retry backoff of 2000 ms would outlast the deadline/);
      expect(Date.now() - started).toBeLessThan(500);
      expect(server.requests).toHaveLength(1);
    });
  });

  it('aborts a request the server never answers at the deadline with a DeadlineExceededError', async () => {
    // Prepare: the server holds the request until the test ends, so only the deadline can end it
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    server = await startServer(async (_request, response) => {
      await held;
      sendJson(response, 200, {});
    });
    const rc = createRingCentral({ server: server.url, tokenSource: staticTokenSource('t') });
    const deadline = Date.now() + 150;

    // Act
    const attempt = rc.configuration.get({ deadline });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(DeadlineExceededError);
    // Not before the deadline (the abort timer and Date.now may round apart by a millisecond)
    expect(Date.now()).toBeGreaterThanOrEqual(deadline - 1);
    expect(server.requests).toHaveLength(1);
    release();
  });
});
