import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageKey } from '../../../lib/archive/layout.ts';
import type { MessageRecord } from '../../../lib/ringcentral/index.ts';
import { startChild } from '../../bench/support/child-process.ts';
import {
  ARCHIVE_BUCKET,
  type ArchiveHarness,
  compareArchive,
  messagesBehindCursor,
  START_DATE,
  startArchiveHarness,
  UNLIMITED_RATE_LIMITS,
} from './archive-harness.ts';
import type { KillChildInput } from './archive-kill-child.ts';
import { EMULATOR_USER_EXTENSIONS } from './emulator-extensions.ts';

const EXTENSION = EMULATOR_USER_EXTENSIONS[0] ?? '101001';

describe('a process killed between an attachment and its message.json', () => {
  let harness: ArchiveHarness;

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      mailbox: { seed: 9, extensions: 1, messagesPerExtension: 20, maxAttachmentBytes: 30_000 },
    });
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('leaves no message.json and no cursor, and a fresh run completes the archive', async () => {
    // Prepare
    const input: KillChildInput = {
      server: harness.emulator.url,
      mediaServer: harness.emulator.mediaUrl,
      accessToken: harness.accessToken,
      s3Endpoint: harness.s3.endpoint,
      bucket: ARCHIVE_BUCKET,
      dynamoEndpoint: harness.dynamo.endpoint,
      tableName: harness.tableName,
      startDate: START_DATE,
    };
    const child = startChild(new URL('./archive-kill-child.ts', import.meta.url), input, 'archive');
    const stored = await child.next<{ type: string; messageId: string; key: string; size: number }>(
      'attachment-stored',
      20_000,
    );
    process.kill(child.pid, 'SIGKILL');
    await child.exited();
    const victim = harness.emulator.mailbox
      .messages(EXTENSION)
      .find((message) => message.id === stored.messageId);
    const attachmentAfterKill = await harness.objects.head(stored.key);
    const manifestAfterKill = await harness.objects.getText(
      messageKey(victim as unknown as MessageRecord),
    );
    const cursorAfterKill = await harness.cursors.get('~');

    // Act
    const fresh = await harness
      .createArchiver()
      .archiveExtension('~', { deadline: Date.now() + 20_000 });

    // Assess
    expect(victim).toBeDefined();
    expect(attachmentAfterKill?.size).toBe(stored.size);
    expect(manifestAfterKill).toBeUndefined();
    expect(cursorAfterKill.syncToken).toBeUndefined();
    expect(fresh.complete).toBe(true);
    expect(fresh.cursorAdvanced).toBe(true);
    expect(fresh.skippedAttachments).toBeGreaterThanOrEqual(1);
    const differences = await compareArchive(harness, [EXTENSION]);
    expect(differences.missingMessages).toEqual([]);
    expect(differences.badAttachments).toEqual([]);
    expect(differences.incompleteManifests).toEqual([]);
    expect(await messagesBehindCursor(harness, '~', EXTENSION)).toEqual({
      cursorSet: true,
      unarchived: [],
    });
  });
});
