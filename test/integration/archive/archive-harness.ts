/**
 * What the archive tests share: the local RingCentral, s3rver with the archive bucket, dynalite
 * with the state table, a logged-in client, the real S3 object store and cursor store, and
 * checks that compare the archive with the emulator's mailbox byte for byte.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsCommand } from '@aws-sdk/client-s3';
import { type ArchiverOptions, createArchiver } from '../../../lib/archive/archiver.ts';
import { attachmentKey, messageKey } from '../../../lib/archive/layout.ts';
import { type ArchiveManifest, parseManifest } from '../../../lib/archive/manifest.ts';
import type { CursorStore, LocatorStore, ObjectStore } from '../../../lib/archive/ports.ts';
import { createCursorStore } from '../../../lib/aws/cursor-store.ts';
import { createExtensionRegistry } from '../../../lib/aws/extension-registry.ts';
import { createLocatorStore } from '../../../lib/aws/locator-store.ts';
import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import type { ExtensionRegistry } from '../../../lib/extensions/ports.ts';
import {
  createOAuthClient,
  createRingCentral,
  type MessageRecord,
  type RingCentral,
  type RingCentralOptions,
  staticTokenSource,
} from '../../../lib/ringcentral/index.ts';
import type {
  EmulatorOptions,
  RunningEmulator,
  StoredMessage,
} from '../../../local/ringcentral/index.ts';
import { startEmulator } from '../../../local/ringcentral/index.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { type LocalS3, startS3rver } from '../../support/s3rver.ts';

/** The archive bucket of every harness. */
export const ARCHIVE_BUCKET = 'archive-bucket';
/** FSync start of the tests: before any seeded message. */
export const START_DATE = '2000-01-01T00:00:00.000Z';

/** The running local services and the archive's adapters on them. */
export interface ArchiveHarness {
  emulator: RunningEmulator;
  s3: LocalS3;
  dynamo: LocalDynamo;
  tableName: string;
  accessToken: string;
  objects: ObjectStore;
  cursors: CursorStore;
  locators: LocatorStore;
  /** The extension registry on the harness's table. */
  registry: ExtensionRegistry;
  /** Registers these ids as discovery would (archived users, first seen now). */
  register(ids: readonly string[]): Promise<void>;
  /** A client on the emulator (rate limits as the emulator enforces them). */
  createClient(options?: Partial<RingCentralOptions>): RingCentral;
  /** An archiver on the harness; options override the defaults. */
  createArchiver(options?: Partial<ArchiverOptions>): ReturnType<typeof createArchiver>;
  stop(): Promise<void>;
}

/** Rate limits that never bind: the emulator advertises them, so the client paces by them. */
export const UNLIMITED_RATE_LIMITS = {
  enabled: false,
  groups: {
    Light: { limit: 1_000_000, windowSeconds: 60 },
    Medium: { limit: 1_000_000, windowSeconds: 60 },
    Heavy: { limit: 1_000_000, windowSeconds: 60 },
    Auth: { limit: 1_000_000, windowSeconds: 60 },
  },
} satisfies EmulatorOptions['rateLimits'];

/** Starts the emulator (with `emulator` options), s3rver and dynalite. */
export async function startArchiveHarness(emulator: EmulatorOptions): Promise<ArchiveHarness> {
  const [rc, s3, dynamo] = await Promise.all([
    startEmulator(emulator),
    startS3rver(),
    startDynalite(),
  ]);
  await s3.createBucket(ARCHIVE_BUCKET);
  const tableName = await dynamo.createStateTable();
  const session = await createOAuthClient({
    server: rc.url,
    clientId: rc.credentials.clientId,
    clientSecret: rc.credentials.clientSecret,
  }).jwtGrant(rc.credentials.jwt);
  const objects = createS3ObjectStore({ bucket: ARCHIVE_BUCKET, client: s3.client });
  const stateTable = createStateTable({ tableName, client: dynamo.client });
  const cursors = createCursorStore(stateTable);
  const locators = createLocatorStore(stateTable);
  const registry = createExtensionRegistry(stateTable);
  const register = async (ids: readonly string[]) => {
    const now = new Date().toISOString();
    for (const id of ids) {
      await registry.putDiscovered({
        id,
        type: 'User',
        status: 'Enabled',
        firstSeen: now,
        lastSeen: now,
        archived: true,
      });
    }
  };
  const createClient = (options: Partial<RingCentralOptions> = {}) =>
    createRingCentral({
      server: rc.url,
      mediaServer: rc.mediaUrl,
      tokenSource: staticTokenSource(session.accessToken),
      limits: { backoff: { baseMs: 20, maxMs: 200, maxRetries: 6 } },
      ...options,
    });
  return {
    emulator: rc,
    s3,
    dynamo,
    tableName,
    accessToken: session.accessToken,
    objects,
    cursors,
    locators,
    registry,
    register,
    createClient,
    createArchiver: (options = {}) =>
      createArchiver({
        ringCentral: createClient(),
        objects,
        cursors,
        locators,
        startDate: START_DATE,
        ...options,
      }),
    stop: async () => {
      await Promise.all([rc.stop(), s3.stop(), dynamo.stop()]);
    },
  };
}

/** The emulator's message as the archive keys it (the wire record's relevant parts). */
function asRecord(message: StoredMessage): MessageRecord {
  return message as unknown as MessageRecord;
}

/** The object's sha256 with the size and entity tag S3 answered with its bytes. */
async function storedObject(
  harness: ArchiveHarness,
  key: string,
): Promise<{ sha256: string; size?: number; etag?: string } | undefined> {
  try {
    const result = await harness.s3.client.send(
      new GetObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: key }),
    );
    const hash = createHash('sha256');
    for await (const chunk of result.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return { sha256: hash.digest('hex'), size: result.ContentLength, etag: result.ETag };
  } catch {
    return undefined;
  }
}

/**
 * Every key of the archive bucket: a listing instead of a request per object. ListObjects (v1)
 * pages by the last key: s3rver's v2 continuation tokens use DES, which Node's OpenSSL 3 refuses,
 * so a truncated v2 listing answers 500.
 */
export async function bucketKeys(harness: ArchiveHarness): Promise<Set<string>> {
  const keys = new Set<string>();
  let marker: string | undefined;
  for (;;) {
    const page = await harness.s3.client.send(
      new ListObjectsCommand({ Bucket: ARCHIVE_BUCKET, ...(marker ? { Marker: marker } : {}) }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.add(object.Key);
    marker = page.Contents?.at(-1)?.Key;
    if (!page.IsTruncated || marker === undefined) return keys;
  }
}

/** What differs between the emulator's mailbox and the archive. */
export interface ArchiveDifferences {
  /** Message ids without a valid message.json. */
  missingMessages: string[];
  /** `messageId/attachmentId` whose object is absent or whose bytes differ. */
  badAttachments: string[];
  /** Message ids whose message.json does not hold the record's fields. */
  incompleteManifests: string[];
  checkedMessages: number;
  checkedAttachments: number;
}

/**
 * Compares every message of the extensions (those `include` selects) with the archive: a
 * message.json with the record and one entry per attachment, each object byte-identical to the
 * emulator's content (sha256 of the S3 bytes and of the manifest entry; the entry's entity tag is
 * the object's).
 */
export async function compareArchive(
  harness: ArchiveHarness,
  extensionIds: readonly string[],
  include: (message: StoredMessage) => boolean = (message) => message.availability === 'Alive',
): Promise<ArchiveDifferences> {
  const differences: ArchiveDifferences = {
    missingMessages: [],
    badAttachments: [],
    incompleteManifests: [],
    checkedMessages: 0,
    checkedAttachments: 0,
  };
  const messages = extensionIds.flatMap((id) =>
    harness.emulator.mailbox.messages(id).filter(include),
  );
  const queue = [...messages];
  const worker = async () => {
    for (let message = queue.shift(); message; message = queue.shift()) {
      differences.checkedMessages += 1;
      const record = asRecord(message);
      const text = await harness.objects.getText(messageKey(record));
      let manifest: ArchiveManifest;
      try {
        if (text === undefined) throw new Error('absent');
        manifest = parseManifest(text);
      } catch {
        differences.missingMessages.push(message.id);
        continue;
      }
      const complete =
        manifest.message.id === message.id &&
        manifest.message.creationTime === message.creationTime &&
        manifest.message.type === message.type &&
        manifest.message.conversationId === message.conversationId &&
        (manifest.message.attachments ?? []).length === message.attachments.length &&
        manifest.attachments.length === message.attachments.length;
      if (!complete) differences.incompleteManifests.push(message.id);
      for (const attachment of message.attachments) {
        differences.checkedAttachments += 1;
        const key = attachmentKey(record, attachment);
        const expected = await harness.emulator.mailbox.attachmentSha256(attachment.id);
        const entry = manifest.attachments.find((item) => item.id === attachment.id);
        // The GET's own size and entity tag stand for a HEAD: the same object, one request.
        const stored = await storedObject(harness, key);
        if (
          entry?.key !== key ||
          entry.sha256 !== expected ||
          entry.size !== attachment.size ||
          stored?.etag !== entry.etag ||
          stored?.size !== attachment.size ||
          stored?.sha256 !== expected
        ) {
          differences.badAttachments.push(`${message.id}/${attachment.id}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return differences;
}

/**
 * Invariant 2 as a check: when the cursor holds a token, every message of the extension last
 * changed before its syncTime has a message.json in the bucket (one listing of the bucket says
 * which keys exist; a caller checking several extensions of a finished archive may pass the
 * {@link bucketKeys} it listed once). Returns the ids that break it.
 */
export async function messagesBehindCursor(
  harness: ArchiveHarness,
  extension: string,
  extensionId: string,
  listed?: ReadonlySet<string>,
): Promise<{ cursorSet: boolean; unarchived: string[] }> {
  const cursor = await harness.cursors.get(extension);
  if (!cursor.syncToken || !cursor.syncTime) return { cursorSet: false, unarchived: [] };
  const syncTime = Date.parse(cursor.syncTime);
  const covered = harness.emulator.mailbox
    .messages(extensionId)
    .filter(
      (message) =>
        message.availability === 'Alive' && Date.parse(message.lastModifiedTime) < syncTime,
    );
  const stored = listed ?? (await bucketKeys(harness));
  const unarchived = covered
    .filter((message) => !stored.has(messageKey(asRecord(message))))
    .map((message) => message.id);
  return { cursorSet: true, unarchived };
}

/** Runs the archive of `extension` until a run completes (at most `maxRuns`). */
export async function archiveUntilComplete(
  archiver: ReturnType<typeof createArchiver>,
  extension: string,
  options: { maxRuns?: number; runMs?: number } = {},
): Promise<{ runs: number }> {
  const maxRuns = options.maxRuns ?? 10;
  for (let runs = 1; runs <= maxRuns; runs += 1) {
    const result = await archiver.archiveExtension(extension, {
      deadline: Date.now() + (options.runMs ?? 20_000),
    });
    if (result.complete && result.cursorAdvanced) return { runs };
  }
  throw new Error(`The archive of ${extension} did not complete in ${maxRuns} runs`);
}
