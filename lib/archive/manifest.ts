/**
 * `message.json`: the archived copy of one message, written last (after every attachment), so
 * its presence says "this message is complete in the archive".
 *
 * ```
 * { schemaVersion: 1, message: <the full record, ids as strings>,
 *   attachments: [{ id, key, size, sha256, contentType, fileName?, etag? }],
 *   missingAttachments?: [{ id, reason, ... }], deletedAt?: ISO, availability }
 * ```
 *
 * Serialisation is canonical (keys sorted, fixed indentation) so archiving the same record twice
 * produces byte-identical text, and the archiver rewrites the object only when the text changes.
 */
import { parseJson } from '../ringcentral/json.ts';
import type { MessageAvailability, MessageRecord } from '../ringcentral/types.ts';
import * as z from '../validation/zod.ts';

/** The schema version this code writes and reads. */
export const MANIFEST_SCHEMA_VERSION = 1;

/** Content type recorded when RingCentral gives none. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Thrown when a message.json does not parse or does not match the schema. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256'));
const idString = z.string().check(z.regex(/^[0-9A-Za-z_-]{1,64}$/, 'an id string'));
const byteCount = z.int().check(z.nonnegative());

/** One attachment stored in the archive. */
export const archivedAttachmentSchema = z.object({
  id: idString,
  /** The S3 key (see layout.ts). */
  key: z.string().check(z.minLength(1)),
  size: byteCount,
  sha256: sha256Hex,
  contentType: z.string().check(z.minLength(1)),
  fileName: z.optional(z.string()),
  /**
   * The object's entity tag when it was archived: purge proves the object was not written since
   * (the sha256 lives only here, S3 returns a checksum only on some stores).
   */
  etag: z.optional(z.string().check(z.minLength(1))),
});

/**
 * An attachment the record lists but whose bytes could not be archived because RingCentral no
 * longer had them (the message was deleted or purged between sync and download). Purge must not
 * treat such a message as fully verified unless it decides the loss is acceptable.
 */
export const missingAttachmentSchema = z.object({
  id: idString,
  reason: z.enum(['GoneBeforeDownload']),
  contentType: z.optional(z.string()),
  fileName: z.optional(z.string()),
  /** Size RingCentral declared, when it did. */
  declaredSize: z.optional(byteCount),
});

function idsAreStrings(value: unknown, key = ''): boolean {
  if (Array.isArray(value)) return value.every((item) => idsAreStrings(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([childKey, child]) => idsAreStrings(child, childKey));
  }
  const isIdKey = key === 'id' || key.endsWith('Id');
  return !(isIdKey && typeof value === 'number');
}

/** A sender or recipient, as far as search reads it (RingCentral's `MessageStoreCallerInfo`). */
const archivedPartySchema = z.looseObject({
  phoneNumber: z.optional(z.string()),
  extensionNumber: z.optional(z.string()),
  extensionId: z.optional(z.string()),
  name: z.optional(z.string()),
});

/**
 * The archived record: RingCentral's full message, every id a string (invariant 7). The fields
 * named here are those search filters on (lib/search) and the Athena table's columns
 * (lib/search/glue-columns.ts); every other field is kept as RingCentral sent it.
 */
export const archivedMessageSchema = z
  .looseObject({
    id: idString,
    creationTime: z.optional(z.string()),
    availability: z.optional(z.enum(['Alive', 'Deleted', 'Purged'])),
    extensionId: z.optional(z.string()),
    type: z.optional(z.string()),
    direction: z.optional(z.string()),
    subject: z.optional(z.string()),
    from: z.optional(archivedPartySchema),
    to: z.optional(z.array(archivedPartySchema)),
  })
  .check(z.refine((record) => idsAreStrings(record), 'every id must be a string'));

/** The message.json schema. */
export const manifestSchema = z.object({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  message: archivedMessageSchema,
  attachments: z.array(archivedAttachmentSchema),
  missingAttachments: z.optional(z.array(missingAttachmentSchema)),
  /** When the archive first saw the message Deleted or Purged in RingCentral. */
  deletedAt: z.optional(z.iso.datetime({ offset: true })),
  availability: z.enum(['Alive', 'Deleted', 'Purged']),
});

/** One attachment entry of message.json. */
export type ArchivedAttachment = z.infer<typeof archivedAttachmentSchema>;
/** One missing-attachment entry of message.json. */
export type MissingAttachment = z.infer<typeof missingAttachmentSchema>;
/** A parsed message.json. */
export type ArchiveManifest = z.infer<typeof manifestSchema> & { message: MessageRecord };

/** What {@link buildManifest} takes. */
export interface ManifestInput {
  record: MessageRecord;
  attachments: readonly ArchivedAttachment[];
  missingAttachments?: readonly MissingAttachment[];
  /** Availability to record; defaults to the record's, else Alive. */
  availability?: MessageAvailability;
  deletedAt?: string;
}

/** Builds (and validates) a message.json document. */
export function buildManifest(input: ManifestInput): ArchiveManifest {
  const availability = input.availability ?? input.record.availability ?? 'Alive';
  const candidate: Record<string, unknown> = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    message: input.record,
    attachments: [...input.attachments],
    availability,
  };
  if (input.missingAttachments && input.missingAttachments.length > 0) {
    candidate.missingAttachments = [...input.missingAttachments];
  }
  if (input.deletedAt !== undefined) candidate.deletedAt = input.deletedAt;
  const parsed = manifestSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new ManifestError(`Invalid manifest for message ${input.record.id}`, {
      cause: parsed.error,
    });
  }
  return parsed.data as ArchiveManifest;
}

/**
 * Marks an archived copy as deleted or purged in RingCentral. Keeps an earlier `deletedAt` so
 * that seeing the same deletion twice changes nothing.
 */
export function markManifestDeleted(
  manifest: ArchiveManifest,
  availability: Exclude<MessageAvailability, 'Alive'>,
  at: Date | string,
): ArchiveManifest {
  const deletedAt = manifest.deletedAt ?? (typeof at === 'string' ? at : at.toISOString());
  return { ...manifest, availability, deletedAt };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) sorted[key] = sortKeys(child);
    }
    return sorted;
  }
  return value;
}

/** Canonical JSON text: sorted keys, 2-space indentation, trailing newline. */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/** Canonical text of a manifest: see {@link canonicalJson}. */
export function serializeManifest(manifest: ArchiveManifest): string {
  return canonicalJson(manifest);
}

/**
 * Parses the JSON text of an archive document (ids stay exact strings) and validates it against
 * `schema`; either failure throws what `fail` makes of "`what` is not JSON" or "`what` does not
 * match the schema", with the cause.
 */
export function parseJsonDocument<T>(
  text: string,
  schema: z.ZodMiniType<T>,
  what: string,
  fail: (message: string, options: { cause: unknown }) => Error,
): T {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    throw fail(`${what} is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fail(`${what} does not match the schema`, { cause: parsed.error });
  return parsed.data;
}

/** Parses and validates message.json text; ids stay exact strings. */
export function parseManifest(text: string): ArchiveManifest {
  return parseJsonDocument(
    text,
    manifestSchema,
    'message.json',
    (message, options) => new ManifestError(message, options),
  ) as ArchiveManifest;
}
