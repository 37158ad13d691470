/**
 * functions/archive.ts end to end: credentials and session from the fake Secrets Manager, the
 * client from them, S3 on s3rver, cursors on dynalite, the deadline from the Lambda context.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createHandler } from '../../../functions/archive.ts';
import { messageKey } from '../../../lib/archive/layout.ts';
import type { MessageRecord } from '../../../lib/ringcentral/index.ts';
import { lambdaContext } from '../../support/events.ts';
import { type ArchiveFunction, createArchiveFunction } from './archive-function-harness.ts';
import { type ArchiveHarness, compareArchive, startArchiveHarness } from './archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from './emulator-extensions.ts';

const EXTENSION = EMULATOR_USER_EXTENSIONS[0] ?? '101001';

describe('the archive function', () => {
  let harness: ArchiveHarness;
  let archiveFunction: ArchiveFunction;
  let handler: ReturnType<typeof createHandler>;
  const safeties: number[] = [];

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: { enabled: true, windowScale: 0.05 },
      mailbox: { seed: 3, extensions: 1, messagesPerExtension: 30, maxAttachmentBytes: 10_000 },
    });
    await harness.register([EXTENSION]);
    archiveFunction = await createArchiveFunction(harness, {
      dependencies: { mediumReserve: 0.3 },
      onClient: ({ safety }) => safeties.push(safety.Medium),
    });
    handler = archiveFunction.handler;
  });

  afterAll(async () => {
    archiveFunction.restore();
    await harness.stop();
  });

  it('stops before the invocation runs out of time, then completes on the next run', async () => {
    // Prepare
    const batch = { extensionIds: [EXTENSION] };
    harness.emulator.setFaults({ latencyMs: 60 });
    const remainingMs = 3_500;

    // Act
    const started = Date.now();
    const short = await handler(batch, lambdaContext({ remainingMs }));
    const elapsed = Date.now() - started;
    harness.emulator.setFaults({});
    const full = await handler(batch, lambdaContext({ remainingMs: 30_000 }));
    const differences = await compareArchive(harness, [EXTENSION]);
    const progress = await harness.registry.get(EXTENSION);

    // Assess
    expect(elapsed).toBeLessThan(remainingMs);
    expect(short.runs[0]?.stoppedAtDeadline).toBe(true);
    expect(short.runs[0]?.cursorAdvanced).toBe(false);
    expect(full.runs[0]?.complete).toBe(true);
    expect(full.runs[0]?.cursorAdvanced).toBe(true);
    // The registry says through when: the cursor's syncTime of the complete run.
    expect(progress?.completeThrough).toBe(full.runs[0]?.syncTime);
    expect(progress?.lastError).toBeUndefined();
    expect(differences.missingMessages).toEqual([]);
    expect(differences.badAttachments).toEqual([]);
    // 30% of the Medium window (40 requests) stays free for interactive sends.
    expect(safeties).toEqual([12, 12]);
  });

  it('archives the message ids a webhook hands over without touching the cursor', async () => {
    // Prepare
    const before = await harness.cursors.get(EXTENSION);
    const [arrived] = harness.emulator.mailbox.receive(EXTENSION, {
      type: 'Fax',
      from: { phoneNumber: '+16505550100' },
      to: [{ phoneNumber: '+16505550111' }],
      attachments: [{ type: 'RenderedDocument', contentType: 'application/pdf', size: 12_345 }],
    });
    if (!arrived) throw new Error('No message received');

    // Act
    const outcome = await handler(
      { extensionId: EXTENSION, messageIds: [arrived.id] },
      lambdaContext({ remainingMs: 20_000 }),
    );
    const after = await harness.cursors.get(EXTENSION);
    const archived = await harness.objects.getText(messageKey(arrived as unknown as MessageRecord));

    // Assess
    expect(outcome.runs[0]?.mode).toBe('messages');
    expect(outcome.runs[0]?.archivedMessages).toBe(1);
    expect(outcome.runs[0]?.storedAttachments).toBe(1);
    expect(archived).toContain(`"id": "${arrived.id}"`);
    expect(after).toEqual(before);
  });
});
