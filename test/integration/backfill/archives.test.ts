/**
 * The backfill over exports split into many archives (a message's attachments across two of
 * them), a damaged archive, a checkpoint that says some archives are done, and a failed task.
 * The client talks to the local RingCentral over HTTP for everything but the export, whose
 * archives come from the local RingCentral's own export code (`ExportTasks`) configured to put at
 * most two attachments in each archive, which its HTTP options do not expose.
 */
import { Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../../lib/archive/ports.ts';
import { createMemoryCheckpointStore } from '../../../lib/backfill/checkpoint.ts';
import { type BackfillRingCentral, runBackfill } from '../../../lib/backfill/run.ts';
import type { ExportsApi } from '../../../lib/ringcentral/index.ts';
import { ExportTasks } from '../../../local/ringcentral/export-tasks.ts';
import {
  type ArchiveHarness,
  START_DATE,
  startArchiveHarness,
  UNLIMITED_RATE_LIMITS,
} from '../archive/archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from '../archive/emulator-extensions.ts';
import { bucketStore, compareWithMailbox } from './harness.ts';

const EXTENSIONS = EMULATOR_USER_EXTENSIONS.slice(0, 2);

interface SplitExportOptions {
  /** Flip one byte in the middle of this archive's stream. */
  damageArchive?: number;
  /** Every task reports this status instead of its own. */
  status?: 'Failed';
}

/** An ExportsApi whose archives hold at most two attachments each. */
function splitExports(harness: ArchiveHarness, options: SplitExportOptions = {}): ExportsApi {
  const tasks = new ExportTasks({
    accountId: harness.emulator.mailbox.accountId,
    baseUrl: () => 'http://127.0.0.1:1',
    messages: () => harness.emulator.mailbox.all(),
    openAttachment: (messageId, attachmentId) =>
      harness.emulator.mailbox.openAttachment(messageId, attachmentId),
    stepMs: 10,
    attachmentsPerArchive: 2,
  });
  const archiveIndex = (uri: string) => Number(uri.split('/').at(-1));
  const taskOf = (uri: string) => uri.split('/').at(-3) ?? '';
  const exports: ExportsApi = {
    create: async (request) =>
      tasks.create({
        ...(request.dateFrom ? { dateFrom: String(request.dateFrom) } : {}),
        ...(request.dateTo ? { dateTo: String(request.dateTo) } : {}),
        ...(request.messageTypes ? { messageTypes: request.messageTypes } : {}),
      }) as Awaited<ReturnType<ExportsApi['create']>>,
    get: async (taskId) => {
      const task = tasks.get(taskId);
      if (!task) throw new Error(`no task ${taskId}`);
      return { ...task, ...(options.status ? { status: options.status } : {}) } as Awaited<
        ReturnType<ExportsApi['get']>
      >;
    },
    waitUntilDone: async () => {
      throw new Error('the backfill polls on its own');
    },
    listArchives: async (taskId) => tasks.archives(taskId) ?? [],
    readArchive: async ({ uri }) => {
      const opened = tasks.openArchive(taskOf(uri), archiveIndex(uri));
      if (!opened) throw new Error(`no archive ${uri}`);
      let stream = opened.stream;
      if (options.damageArchive === archiveIndex(uri)) {
        let seen = 0;
        const half = Math.floor((opened.size ?? 0) / 2);
        stream = stream.pipe(
          new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              const copy = Buffer.from(chunk);
              if (seen <= half && half < seen + copy.length) {
                copy[half - seen] = (copy[half - seen] ?? 0) ^ 0xff;
              }
              seen += copy.length;
              callback(null, copy);
            },
          }),
        );
      }
      return {
        stream,
        size: opened.size,
        totalSize: opened.size,
        contentType: 'application/zip',
        fileName: undefined,
        status: 200,
      };
    },
  };
  return exports;
}

function client(harness: ArchiveHarness, exports: ExportsApi): BackfillRingCentral {
  const real = harness.createClient();
  return { messages: real.messages, attachments: real.attachments, sync: real.sync, exports };
}

describe('the backfill over many export archives', () => {
  let harness: ArchiveHarness;

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      mailbox: {
        seed: 34,
        extensions: 2,
        messagesPerExtension: 20,
        maxAttachmentBytes: 30_000,
        types: ['Fax', 'VoiceMail', 'SMS'],
      },
    });
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('stores messages whose attachments span two archives', async () => {
    // Prepare
    const objects = await bucketStore(harness, 'split');
    const exports = splitExports(harness);

    // Act
    const result = await runBackfill({
      ringCentral: client(harness, exports),
      objects,
      locators: harness.locators,
      checkpoints: createMemoryCheckpointStore(),
      request: { dateFrom: START_DATE },
      pollIntervalMs: 10,
    });
    const differences = await compareWithMailbox(harness, 'split', EXTENSIONS);

    // Assess
    expect(result.archivesTotal).toBeGreaterThan(5);
    expect(result).toMatchObject({ complete: true, messagesByDownload: 0, failures: [] });
    expect(differences).toMatchObject({ missingMessages: [], badAttachments: [] });
    expect(differences.checkedAttachments).toBe(result.attachmentsStored);
  });

  it('downloads what a damaged archive held, message by message', async () => {
    // Prepare
    const objects = await bucketStore(harness, 'damaged');
    const exports = splitExports(harness, { damageArchive: 3 });

    // Act
    const result = await runBackfill({
      ringCentral: client(harness, exports),
      objects,
      locators: harness.locators,
      checkpoints: createMemoryCheckpointStore(),
      request: { dateFrom: START_DATE },
      pollIntervalMs: 10,
    });
    const differences = await compareWithMailbox(harness, 'damaged', EXTENSIONS);

    // Assess
    expect(result.complete).toBe(true);
    expect(result.messagesByDownload).toBeGreaterThan(0);
    expect(differences).toMatchObject({ missingMessages: [], badAttachments: [] });
  });

  it('skips the archives its checkpoint says are done', async () => {
    // Prepare
    const objects = await bucketStore(harness, 'checkpointed');
    const exports = splitExports(harness);
    const checkpoints = createMemoryCheckpointStore();
    const options = {
      ringCentral: client(harness, exports),
      objects,
      locators: harness.locators,
      checkpoints,
      request: { dateFrom: START_DATE },
      pollIntervalMs: 10,
    };
    const first = await runBackfill(options);
    const done = checkpoints.current();
    // The first run completed; pretend it stopped after archive 3.
    await checkpoints.save({
      scope: done?.scope ?? '',
      mode: 'export',
      ...(done?.taskId ? { taskId: done.taskId } : {}),
      archivesDone: [1, 2, 3],
      extensionsDone: [],
    });

    // Act
    const resumed = await runBackfill(options);

    // Assess
    expect(first.complete).toBe(true);
    expect(resumed.taskId).toBe(first.taskId);
    expect(resumed.archivesSkipped).toBe(3);
    expect(resumed.bytesDownloaded).toBeLessThan(first.bytesDownloaded);
    expect(resumed).toMatchObject({ complete: true, attachmentsStored: 0, messagesArchived: 0 });
    expect(resumed.messagesUnchanged).toBe(first.messagesTotal);
  });

  it('reads back what it uploaded when asked, and re-checks what does not read back whole message by message', async () => {
    // Prepare
    const inner = await bucketStore(harness, 'read-back');
    const logged: string[] = [];
    const lied = new Set<string>();
    // A store whose first read of each stored attachment reports it one byte short.
    const objects: ObjectStore = {
      ...inner,
      head: async (key) => {
        const info = await inner.head(key);
        if (!info || !key.includes('/attachments/') || lied.has(key)) return info;
        lied.add(key);
        return { ...info, size: info.size - 1 };
      },
    };

    // Act
    const result = await runBackfill({
      ringCentral: client(harness, splitExports(harness)),
      objects,
      locators: harness.locators,
      checkpoints: createMemoryCheckpointStore(),
      request: { dateFrom: START_DATE },
      pollIntervalMs: 10,
      verifyStored: true,
      log: (line) => logged.push(line),
    });
    const differences = await compareWithMailbox(harness, 'read-back', EXTENSIONS);

    // Assess
    expect(logged.filter((line) => line.includes('BackfillVerificationError'))).toHaveLength(
      lied.size,
    );
    expect(lied.size).toBe(differences.checkedAttachments);
    expect(result.complete).toBe(true);
    expect(result.messagesByDownload).toBeGreaterThan(0);
    expect(differences).toMatchObject({ missingMessages: [], badAttachments: [] });
  });

  it('lists instead when the export task fails', async () => {
    // Prepare
    const objects = await bucketStore(harness, 'failed-task');
    const exports = splitExports(harness, { status: 'Failed' });

    // Act
    const result = await runBackfill({
      ringCentral: client(harness, exports),
      objects,
      locators: harness.locators,
      checkpoints: createMemoryCheckpointStore(),
      request: { dateFrom: START_DATE },
      extensions: EXTENSIONS,
      pollIntervalMs: 10,
    });
    const differences = await compareWithMailbox(harness, 'failed-task', EXTENSIONS);

    // Assess
    expect(result).toMatchObject({ mode: 'list', complete: true });
    expect(result.fallbackReason).toContain('Failed');
    expect(differences.missingMessages).toEqual([]);
    expect(differences.badAttachments).toEqual([]);
  });
});
