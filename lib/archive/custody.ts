/**
 * The chain of custody: each archive or backfill run that stored objects writes, per account, a
 * custody manifest listing what it stored (key, version id, size, sha256, entity tag, retention)
 * and the sha256 of the account's previous manifest, so the manifests form a chain:
 *
 * ```
 * custody/{accountId}/{yyyy}/{mm}/{dd}/{runId}.json
 * { schemaVersion: 1, accountId, runId, kind, sequence, startedAt, completedAt,
 *   previous: { key, sha256 } | null, objects: [{ key, size, sha256, etag?, versionId?, retention? }] }
 * ```
 *
 * Changing, removing or re-linking a manifest changes a sha256 some later link (or the head
 * pointer, custody-ports.ts) names, so `archive:verify` sees it. Serialisation is canonical, so
 * the sha256 of a manifest is the sha256 of its stored bytes.
 */
import { createHash } from 'node:crypto';
import * as z from '../validation/zod.ts';
import { canonicalJson, parseJsonDocument } from './manifest.ts';

/** The schema version this code writes and reads. */
export const CUSTODY_SCHEMA_VERSION = 1;

/** Thrown when a custody manifest does not parse or does not match the schema. */
export class CustodyManifestError extends Error {
  override readonly name = 'CustodyManifestError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256'));

/** One object a run stored, as the store reported it. */
export const custodyEntrySchema = z.object({
  key: z.string().check(z.minLength(1)),
  size: z.int().check(z.nonnegative()),
  sha256: sha256Hex,
  etag: z.optional(z.string()),
  versionId: z.optional(z.string()),
  retention: z.optional(
    z.object({ mode: z.enum(['GOVERNANCE', 'COMPLIANCE']), retainUntil: z.string() }),
  ),
});

/** The custody manifest's schema. */
export const custodyManifestSchema = z.object({
  schemaVersion: z.literal(CUSTODY_SCHEMA_VERSION),
  accountId: z.string().check(z.minLength(1)),
  runId: z.string().check(z.minLength(1)),
  /**
   * What wrote it: an archive or backfill run records what it stored; an adoption records
   * objects stored before the account's custody began, hashed when adopted
   * (custody-adoption.ts).
   */
  kind: z.enum(['archive', 'backfill', 'adoption']),
  /** 1 for an account's first manifest, then one more for each. */
  sequence: z.int().check(z.positive()),
  startedAt: z.iso.datetime({ offset: true }),
  completedAt: z.iso.datetime({ offset: true }),
  /** The account's previous manifest; null only for sequence 1. */
  previous: z.nullable(z.object({ key: z.string(), sha256: sha256Hex })),
  objects: z.array(custodyEntrySchema),
});

/** One entry of a custody manifest. */
export type CustodyEntry = z.infer<typeof custodyEntrySchema>;
/** A custody manifest. */
export type CustodyManifest = z.infer<typeof custodyManifestSchema>;

/** Canonical text of a custody manifest (sorted keys, 2-space indentation, final newline). */
export function serializeCustodyManifest(manifest: CustodyManifest): string {
  return canonicalJson(manifest);
}

/** Hex sha256 of text, as its UTF-8 bytes. */
export function sha256OfText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Parses and validates custody manifest text. */
export function parseCustodyManifest(text: string): CustodyManifest {
  return parseJsonDocument(
    text,
    custodyManifestSchema,
    'custody manifest',
    (message, options) => new CustodyManifestError(message, options),
  );
}
