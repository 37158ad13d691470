import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sentMessageResponse } from '../../../lib/api/responses.ts';
import type { SendHarness } from './send-harness.ts';
import {
  functionEnvironment,
  newKey,
  post,
  setEnvironment,
  startSendHarness,
} from './send-harness.ts';

type SendPagerModule = typeof import('../../../functions/send-pager.ts');

describe('send-pager against the local RingCentral and dynalite', () => {
  let harness: SendHarness;
  let restoreEnvironment: () => void;
  let module: SendPagerModule;

  const handler = () => module.createHandler(module.dependenciesFromEnvironment());

  beforeAll(async () => {
    harness = await startSendHarness();
    restoreEnvironment = setEnvironment(functionEnvironment(harness));
    vi.resetModules();
    module = await import('../../../functions/send-pager.ts');
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await harness?.stop();
  });

  it('sends a pager message to extensions by number and id and answers 202', async () => {
    // Prepare
    const send = handler();
    const before = harness.emulator.stats().sent.pager;
    const recipient = harness.emulator.mailbox.extensions[1]!;

    // Act
    const result = await post(
      module.handler,
      '/pager',
      { to: [{ extensionNumber: recipient.extensionNumber }], text: 'Deploy done' },
      { key: newKey() },
    );
    const byId = await post(
      send,
      '/pager',
      { to: [{ extensionId: recipient.id }], text: 'Again by id' },
      { key: newKey() },
    );

    // Assess
    expect(result.status).toBe(202);
    expect(byId.status).toBe(202);
    const body = sentMessageResponse.parse(result.body);
    expect(body.type).toBe('Pager');
    expect(harness.emulator.stats().sent.pager).toBe(before + 2);
    const inbox = harness.emulator.mailbox.messages(recipient.id);
    expect(inbox.some((message) => message.subject === 'Deploy done')).toBe(true);
  });

  it('sends once for 50 concurrent identical requests with one key', async () => {
    // Prepare
    const send = handler();
    const key = newKey();
    const body = { to: [{ extensionNumber: '102' }], text: 'Once' };
    const before = harness.emulator.stats().sent.pager;

    // Act
    const results = await Promise.all(
      Array.from({ length: 50 }, () => post(send, '/pager', body, { key })),
    );
    const retry = await post(send, '/pager', body, { key });

    // Assess
    expect(harness.emulator.stats().sent.pager).toBe(before + 1);
    const statuses = new Set(results.map((result) => result.status));
    expect([...statuses].every((status) => status === 202 || status === 409)).toBe(true);
    const first = results.find((result) => result.status === 202);
    expect(retry.body).toEqual(first?.body);
  });

  it('maps an extension RingCentral does not know to 422 and a bad body to 400', async () => {
    // Prepare
    const send = handler();
    const before = harness.emulator.stats().sent.pager;

    // Act
    const unknown = await post(
      send,
      '/pager',
      { to: [{ extensionNumber: '999' }], text: 'x' },
      { key: newKey() },
    );
    const invalid = await post(
      send,
      '/pager',
      { to: [{ extensionId: 'abc' }], text: '' },
      {
        key: newKey(),
      },
    );

    // Assess
    expect(unknown.status).toBe(422);
    expect(unknown.headers['content-type']).toBe('application/problem+json');
    expect(invalid.status).toBe(400);
    const fields = (invalid.body.errors as Array<{ field: string }>).map((error) => error.field);
    expect(fields.sort()).toEqual(['text', 'to[0].extensionId']);
    expect(harness.emulator.stats().sent.pager).toBe(before);
  });
});
