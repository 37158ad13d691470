/**
 * The backfill when the export is not available: a real HTTP front for the local RingCentral
 * answers 403 FeatureNotAvailable to the export (as RingCentral does for an account without the
 * feature) and passes every other request through. The backfill lists and downloads instead, and
 * still writes what the archive function writes.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileCheckpointStore } from '../../../lib/backfill/checkpoint.ts';
import { runBackfill } from '../../../lib/backfill/run.ts';
import {
  ARCHIVE_BUCKET,
  type ArchiveHarness,
  START_DATE,
  startArchiveHarness,
  UNLIMITED_RATE_LIMITS,
} from '../archive/archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from '../archive/emulator-extensions.ts';
import { bucketDifferences, bucketDigests, bucketStore, runArchiveFunction } from './harness.ts';

const EXTENSIONS = EMULATOR_USER_EXTENSIONS.slice(0, 2);

/** Forwards to `target`, except that the export answers 403; counts what it refused. */
async function startExportBlocker(target: string): Promise<{
  url: string;
  refused: () => number;
  stop: () => Promise<void>;
}> {
  const upstream = new URL(target);
  let refused = 0;
  const server: Server = createServer((req, res) => {
    if ((req.url ?? '').includes('/message-store-report')) {
      refused += 1;
      req.resume();
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errorCode: 'FeatureNotAvailable',
          message: 'The requested feature is not available',
          errors: [
            {
              errorCode: 'FeatureNotAvailable',
              message: 'The requested feature is not available',
            },
          ],
        }),
      );
      return;
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused: () => refused,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the backfill without the export', () => {
  let harness: ArchiveHarness;
  let blocker: Awaited<ReturnType<typeof startExportBlocker>>;
  let directory: string;

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      mailbox: { seed: 8, extensions: 2, messagesPerExtension: 25, maxAttachmentBytes: 20_000 },
    });
    blocker = await startExportBlocker(harness.emulator.url);
    directory = await mkdtemp(join(tmpdir(), 'backfill-fallback-'));
  });

  afterAll(async () => {
    await blocker.stop();
    await harness.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('lists and downloads when the export answers 403, writing what the archive function writes', async () => {
    // Prepare
    const objects = await bucketStore(harness, 'backfill-listed');
    const logged: string[] = [];
    const messages = EXTENSIONS.flatMap((id) => harness.emulator.mailbox.messages(id));

    // Act
    await runArchiveFunction(harness, EXTENSIONS);
    const result = await runBackfill({
      ringCentral: harness.createClient({ server: blocker.url }),
      objects,
      locators: harness.locators,
      checkpoints: createFileCheckpointStore(join(directory, 'checkpoint.json')),
      request: { dateFrom: START_DATE },
      extensions: EXTENSIONS,
      log: (line) => logged.push(line),
    });
    const checkpoint = await createFileCheckpointStore(join(directory, 'checkpoint.json')).load();
    const expected = await bucketDigests(harness.s3.client, ARCHIVE_BUCKET);
    const actual = await bucketDigests(harness.s3.client, 'backfill-listed');

    // Assess
    expect(blocker.refused()).toBe(1);
    expect(result).toMatchObject({
      mode: 'list',
      complete: true,
      messagesTotal: messages.length,
      messagesArchived: messages.length,
      failures: [],
    });
    expect(result.fallbackReason).toContain('403');
    expect(logged.join('\n')).toContain('listing instead');
    expect(checkpoint).toMatchObject({ mode: 'list', extensionsDone: EXTENSIONS });
    expect(bucketDifferences(expected, actual)).toEqual({ missing: [], extra: [], different: [] });
  });

  it('lists only the types asked for', async () => {
    // Prepare
    const objects = await bucketStore(harness, 'backfill-faxes');
    const faxes = EXTENSIONS.flatMap((id) => harness.emulator.mailbox.messages(id)).filter(
      (message) => message.type === 'Fax',
    );

    // Act
    const result = await runBackfill({
      ringCentral: harness.createClient({ server: blocker.url }),
      objects,
      locators: harness.locators,
      checkpoints: createFileCheckpointStore(join(directory, 'faxes.json')),
      request: { dateFrom: START_DATE, messageTypes: ['Fax'] },
      extensions: EXTENSIONS,
    });
    const keys = [...(await bucketDigests(harness.s3.client, 'backfill-faxes')).keys()];

    // Assess
    expect(faxes.length).toBeGreaterThan(0);
    expect(result).toMatchObject({ mode: 'list', complete: true, messagesTotal: faxes.length });
    expect(keys.filter((key) => key.endsWith('/message.json'))).toHaveLength(faxes.length);
  });
});
