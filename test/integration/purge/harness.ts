/**
 * What the purge integration tests share: the local RingCentral with a seeded mailbox, s3rver
 * with a fresh bucket, dynalite with the state table and the archive's cursor store, a client
 * logged in with the JWT grant, and an archive laid out through the ObjectStore port (attachments
 * first, message.json last) so that purge is tested independently of the archiver.
 */
import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { LocatorStore, ObjectStore } from '../../../lib/archive/ports.ts';
import { createCursorStore } from '../../../lib/aws/cursor-store.ts';
import { createLocatorStore } from '../../../lib/aws/locator-store.ts';
import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import type { RingCentral } from '../../../lib/ringcentral/index.ts';
import type { MessageRecord } from '../../../lib/ringcentral/types.ts';
import type { RunningEmulator } from '../../../local/ringcentral/index.ts';
import { startEmulator } from '../../../local/ringcentral/index.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';
import type { LocalS3 } from '../../support/s3rver.ts';
import { UNENFORCED_RATE_LIMITS, unpacedRingCentral } from '../../support/unpaced-client.ts';
import { type ArchivedMessage, archiveRecords } from '../../unit/purge/fixture.ts';

/** The configured extension the tests purge (the JWT user's own mailbox). */
export const OWN_EXTENSION = '~';

const DAY_MS = 86_400_000;

/** One test's world: its own emulator and bucket; S3 and DynamoDB servers are shared. */
export interface PurgeWorld {
  emulator: RunningEmulator;
  rc: RingCentral;
  bucket: string;
  objects: ObjectStore;
  cursors: ReturnType<typeof createCursorStore>;
  locators: LocatorStore;
  /** Every Alive record of the mailbox as the client lists it. */
  records: MessageRecord[];
  archived: Map<string, ArchivedMessage>;
  deleteObject(key: string): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startPurgeWorld}. */
export interface PurgeWorldOptions {
  messages?: number;
  /** How far back the seeded messages go; default 60 days. */
  spanDays?: number;
  /** Store an archive cursor at this syncTime (default now); `null` stores none. */
  cursorSyncTime?: string | null;
  /** Archive only the records this accepts; default all. */
  archive?: (record: MessageRecord) => boolean;
}

/** Starts the emulator, archives its mailbox into a new bucket and stores the cursor. */
export async function startPurgeWorld(
  servers: { s3: LocalS3; dynamo: LocalDynamo },
  options: PurgeWorldOptions = {},
): Promise<PurgeWorld> {
  const spanDays = options.spanDays ?? 60;
  const emulator = await startEmulator({
    mailbox: {
      seed: 11,
      extensions: 1,
      messagesPerExtension: options.messages ?? 160,
      maxAttachmentBytes: 6_000,
      startDate: new Date(Date.now() - spanDays * DAY_MS).toISOString(),
    },
    rateLimits: UNENFORCED_RATE_LIMITS,
  });
  const rc = unpacedRingCentral(emulator);
  const bucket = `purge-${randomUUID().slice(0, 8)}`;
  await servers.s3.createBucket(bucket);
  const objects = createS3ObjectStore({ bucket, client: servers.s3.client });
  // A table per world: each test starts with no cursor unless it stores one.
  const tableName = await servers.dynamo.createStateTable();
  const stateTable = createStateTable({ tableName, client: servers.dynamo.client });
  const cursors = createCursorStore(stateTable);
  const locators = createLocatorStore(stateTable);
  const records: MessageRecord[] = [];
  for await (const page of rc.messages.list({
    extensionId: OWN_EXTENSION,
    dateFrom: new Date(Date.now() - (spanDays + 1) * DAY_MS),
    perPage: 1000,
  })) {
    records.push(...page.records);
  }
  const archived = await archiveRecords(
    objects,
    records.filter(options.archive ?? (() => true)),
    (record, attachmentId) => emulator.mailbox.openAttachment(record.id, attachmentId),
  );
  if (options.cursorSyncTime !== null) {
    await cursors.advance(
      OWN_EXTENSION,
      {
        syncToken: 'archived-by-the-test',
        syncTime: options.cursorSyncTime ?? new Date().toISOString(),
      },
      0,
    );
  }
  emulator.resetStats();
  return {
    emulator,
    rc,
    bucket,
    objects,
    cursors,
    locators,
    records,
    archived,
    deleteObject: async (key) => {
      await servers.s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    stop: () => emulator.stop(),
  };
}
