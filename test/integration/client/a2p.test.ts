/**
 * High-volume SMS through the client against the local RingCentral: a batch created, read and
 * its per-recipient results paged, the opt-out list read and honoured, a sender without the
 * A2PSmsSender feature refused; every exchange checked against RingCentral's spec.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { A2pMessage, RingCentral } from '../../../lib/ringcentral/index.ts';
import {
  InvalidInputError,
  InvalidRequestError,
  NotFoundError,
} from '../../../lib/ringcentral/index.ts';
import type { Exchange, RunningEmulator } from '../../../local/ringcentral/index.ts';
import { OPTED_OUT_ERROR_CODE } from '../../../local/ringcentral/index.ts';
import { loadRingCentralContract } from '../../support/contract-deviations.ts';
import type { Contract } from '../../support/openapi-contract.ts';
import { type ClientHarness, startClientHarness } from './client-harness.ts';

const FROM = '+16505550101';
const A2P_OPERATIONS = ['createA2PSMS', 'readA2PBatch', 'listA2PSMS', 'readA2PSMSOptOuts'];

/** Reads the batch until RingCentral says it is completed (the emulator takes `a2pStepMs`). */
async function completed(rc: RingCentral, batchId: string) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const batch = await rc.a2p.getBatch(batchId);
    if (batch.status === 'Completed') return batch;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`batch ${batchId} did not complete`);
}

/** Every message of a batch, page by page. */
async function allMessages(rc: RingCentral, batchId: string, perPage: number) {
  const pages: A2pMessage[][] = [];
  let pageToken: string | undefined;
  do {
    const page = await rc.a2p.messagePage({
      batchId,
      perPage,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    pages.push(page.records);
    pageToken = page.paging?.nextPageToken;
  } while (pageToken !== undefined);
  return pages;
}

describe('high-volume SMS through the client against the local RingCentral', () => {
  const exchanges: Exchange[] = [];
  let contract: Contract;
  let harness: ClientHarness;
  let emulator: RunningEmulator;
  let rc: RingCentral;

  beforeAll(async () => {
    contract = await loadRingCentralContract();
    harness = await startClientHarness({
      rateLimits: { windowScale: 0.05 },
      a2pStepMs: 20,
      onExchange: (exchange) => exchanges.push(exchange),
    });
    ({ emulator, rc } = harness);
    emulator.enableA2pSender(FROM);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('sends a batch in one request, then reads its progress and each recipient result by page', async () => {
    // Prepare
    const recipients = ['+16505550201', '+16505550202', '+16505550203', '+16505550204'];
    await harness.tokens.getToken();
    const before = emulator.stats().requests;

    // Act
    const created = await rc.a2p.createBatch({
      from: FROM,
      text: 'Your order has shipped.',
      messages: [
        { to: recipients[0]! },
        { to: '+442071838750' },
        { to: recipients[1]!, text: 'Your order is delayed.' },
        { to: recipients[2]! },
        { to: recipients[3]! },
      ],
    });
    const createRequests = emulator.stats().requests - before;
    const done = await completed(rc, created.id);
    const pages = await allMessages(rc, created.id, 3);

    // Assess
    expect(createRequests).toBe(1);
    expect(typeof created.id).toBe('string');
    expect(created).toMatchObject({ status: 'Processing', batchSize: 4, processedCount: 0 });
    expect(created.rejected).toEqual([
      expect.objectContaining({ index: 1, to: ['+442071838750'], errorCode: 'CMN-100' }),
    ]);
    expect(done).toMatchObject({ id: created.id, batchSize: 4, processedCount: 4 });
    expect(pages.map((page) => page.length)).toEqual([3, 1]);
    const messages = pages.flat();
    expect(messages.map((message) => message.to?.[0])).toEqual(recipients);
    expect(messages.every((message) => message.messageStatus === 'Delivered')).toBe(true);
    expect(messages.every((message) => typeof message.id === 'string')).toBe(true);
    expect(messages.map((message) => message.id)).toEqual(
      emulator.a2p.messagesOf(created.id).map((message) => message.id),
    );
  });

  it('reads every page of the opt-out list, and the numbers on it are never sent to', async () => {
    // Prepare: 1,001 opt-outs take two pages of 1,000.
    const optedOut = Array.from(
      { length: 1001 },
      (_, index) => `+1415555${String(index).padStart(4, '0')}`,
    );
    for (const number of optedOut) emulator.a2p.optOut(FROM, number);
    emulator.a2p.optOut('+16505550102', '+16505550299');
    const before = emulator.stats().requests;

    // Act
    const numbers = await rc.a2p.optedOutNumbers(FROM);
    const listRequests = emulator.stats().requests - before;
    const batch = await rc.a2p.createBatch({
      from: FROM,
      text: 'Sale starts today.',
      messages: [{ to: optedOut[0]! }, { to: '+16505550299' }],
    });
    await completed(rc, batch.id);
    const [page] = await allMessages(rc, batch.id, 10);

    // Assess
    expect(listRequests).toBe(2);
    expect([...numbers].sort()).toEqual([...optedOut].sort());
    expect(
      page?.map((message) => [message.to?.[0], message.messageStatus, message.errorCode]),
    ).toEqual([
      [optedOut[0], 'SendingFailed', OPTED_OUT_ERROR_CODE],
      ['+16505550299', 'Delivered', undefined],
    ]);
  });

  it('gets RingCentral refusal of a sender without the A2PSmsSender feature, and 404 for an unknown batch', async () => {
    // Act
    const refused = await rc.a2p
      .createBatch({ from: '+16505550102', text: 'hello', messages: [{ to: '+16505550201' }] })
      .catch((error: unknown) => error);
    const unknown = await rc.a2p.getBatch('404404404').catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(InvalidRequestError);
    expect(refused).toMatchObject({ status: 400, errorCode: 'CMN-101' });
    expect((refused as InvalidRequestError).errors[0]?.parameterName).toBe('from');
    expect(unknown).toBeInstanceOf(NotFoundError);
  });

  it('refuses a batch it can tell is invalid without asking RingCentral', async () => {
    // Prepare
    const before = emulator.stats().requests;
    const tooMany = Array.from({ length: 10_001 }, () => ({ to: '+16505550201' }));

    // Act
    const attempts = await Promise.all([
      rc.a2p
        .createBatch({ from: FROM, text: 'x', messages: tooMany as never })
        .catch((error: unknown) => error),
      rc.a2p
        .createBatch({ from: FROM, messages: [{ to: '+16505550201' }] })
        .catch((error: unknown) => error),
      rc.a2p
        .createBatch({
          from: FROM,
          text: 'x',
          messages: [{ to: 16505550201 as unknown as string }],
        })
        .catch((error: unknown) => error),
      rc.a2p.getBatch(12345 as unknown as string).catch((error: unknown) => error),
      rc.a2p.messagePage({ batchId: '1', perPage: 1001 }).catch((error: unknown) => error),
    ]);

    // Assess
    for (const attempt of attempts) expect(attempt).toBeInstanceOf(InvalidInputError);
    expect(emulator.stats().requests).toBe(before);
  });

  it('spent only the Light group, and sent and got only what the spec allows', async () => {
    // Prepare: stopping the emulator closes every response, so every exchange is recorded.
    await harness.stop();
    const a2p = exchanges.filter((exchange) => exchange.path.includes('/a2p-sms/'));

    // Act
    const problems = a2p.flatMap((exchange) =>
      contract
        .validateExchange(exchange)
        .map((problem) => `${exchange.method} ${exchange.path} ${exchange.status}: ${problem}`),
    );
    const operations = a2p.map((exchange) =>
      contract.matchOperation(exchange.method, exchange.path),
    );

    // Assess
    expect(problems).toEqual([]);
    expect(new Set(operations.map((operation) => operation?.operationId))).toEqual(
      new Set(A2P_OPERATIONS),
    );
    expect(new Set(operations.map((operation) => operation?.group))).toEqual(new Set(['Light']));
    expect(new Set(a2p.map((exchange) => exchange.responseHeaders['x-rate-limit-group']))).toEqual(
      new Set(['Light']),
    );
  });
});
