/**
 * The client's behaviour against the local RingCentral beyond the contract (contract.test.ts
 * covers every operation): paging through the whole list, and resuming a dropped download.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord, NonEmptyArray, RingCentral } from '../../../lib/ringcentral/index.ts';
import type { RunningEmulator } from '../../../local/ringcentral/index.ts';
import { type Digest, digest } from '../../support/digest.ts';
import { type ClientHarness, startClientHarness } from './client-harness.ts';

const YEAR_AGO = new Date(Date.now() - 400 * 24 * 3600 * 1000).toISOString();

function maxSize(message: { attachments: ReadonlyArray<{ size: number }> }): number {
  return Math.max(0, ...message.attachments.map((attachment) => attachment.size));
}

describe('the client against the local RingCentral', () => {
  let harness: ClientHarness;
  let emulator: RunningEmulator;
  let rc: RingCentral;

  beforeAll(async () => {
    harness = await startClientHarness(
      {
        mailbox: { seed: 7, extensions: 2, messagesPerExtension: 40, maxAttachmentBytes: 200_000 },
        rateLimits: { windowScale: 0.05 },
      },
      { limits: { backoff: { baseMs: 50, maxMs: 200 } } },
    );
    ({ emulator, rc } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('lists every message over several pages and reads them singly and in bulk', async () => {
    // Prepare
    const userId = emulator.mailbox.extensions[0]!.id;
    const expected = emulator.mailbox
      .messages(userId)
      .filter((message) => message.availability === 'Alive').length;

    // Act
    const records: MessageRecord[] = [];
    let pages = 0;
    for await (const page of rc.messages.list({ dateFrom: YEAR_AGO, perPage: 7 })) {
      pages += 1;
      records.push(...page.records);
    }
    const single = await rc.messages.get(records[0]!.id);
    const many = await rc.messages.getMany(
      records.slice(0, 3).map((record) => record.id) as unknown as NonEmptyArray<string>,
    );

    // Assess
    expect(records.length).toBe(expected);
    expect(pages).toBe(Math.ceil(expected / 7));
    expect(
      records.every(
        (record) =>
          typeof record.id === 'string' && typeof (record.conversationId ?? '') === 'string',
      ),
    ).toBe(true);
    expect(single.id).toBe(records[0]!.id);
    expect(many.map((result) => [result.id, result.ok])).toEqual(
      records.slice(0, 3).map((record) => [record.id, true]),
    );
  });

  it('streams a 3 MiB attachment byte-exact, also when the connection drops mid-body', async () => {
    // Prepare
    const userId = emulator.mailbox.extensions[0]!.id;
    const message = emulator.mailbox.add(userId, {
      type: 'Fax',
      direction: 'Inbound',
      to: [{ phoneNumber: emulator.mailbox.extensions[0]!.faxNumber }],
      attachments: [
        { type: 'RenderedDocument', contentType: 'application/pdf', size: 3 * 2 ** 20 },
      ],
    });
    expect(maxSize(message)).toBe(3 * 2 ** 20);
    const attachment = message.attachments.find(
      (candidate) => candidate.size === maxSize(message),
    )!;
    const expected = await digest(emulator.mailbox.openAttachment(message.id, attachment.id));
    emulator.setFaults({ dropMidBodyRate: 1 });

    const resumedFrom: number[] = [];

    // Act
    let actual: Digest;
    try {
      const content = await rc.attachments.read(
        { messageId: message.id, attachmentId: attachment.id, extensionId: userId },
        {
          onResume: (info) => {
            resumedFrom.push(info.offset);
            // Every download drops at half its body; let the resumed ones through after two drops.
            if (resumedFrom.length === 2) emulator.setFaults({});
          },
        },
      );
      actual = await digest(content.stream);
    } finally {
      emulator.setFaults({});
    }

    // Assess
    expect(actual).toEqual(expected);
    expect(resumedFrom).toHaveLength(2);
    expect(resumedFrom[0]).toBeGreaterThan(0);
  });
});
