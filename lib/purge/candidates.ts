/**
 * Which messages a purge run may consider: older than the retention of their type and not newer
 * than the archive cursor of their extension. Being a candidate proves nothing yet; every
 * candidate is verified against the archive before it may be deleted (verification.ts).
 */
import type { CallOptions, MessagesApi } from '../ringcentral/index.ts';
import type { MessageRecord, MessageType } from '../ringcentral/types.ts';

/** The message types a retention can name (the list filter's `messageType` values). */
export const RETENTION_MESSAGE_TYPES: readonly MessageType[] = ['Fax', 'SMS', 'VoiceMail', 'Pager'];

/** Days to keep each message type in RingCentral; a type without an entry is never purged. */
export type RetentionDays = Partial<Record<MessageType, number>>;

/** Per type, the instant before which a message may be purged (ISO, UTC). */
export type PurgeCutoffs = Partial<Record<MessageType, string>>;

const DAY_MS = 86_400_000;

/** Thrown when a retention setting is unusable (negative, fractional, unknown type). */
export class RetentionConfigError extends Error {
  override readonly name = 'RetentionConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Validates a retention map, e.g. `{"Fax":90,"VoiceMail":90,"SMS":365,"Pager":30}`: each value a
 * whole number of days of at least 1 (0 would purge what arrived a moment ago).
 */
export function parseRetentionDays(value: unknown): RetentionDays {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RetentionConfigError('The retention must be an object of message type to days');
  }
  const retention: RetentionDays = {};
  for (const [type, days] of Object.entries(value)) {
    if (!RETENTION_MESSAGE_TYPES.includes(type as MessageType)) {
      throw new RetentionConfigError(
        `Unknown message type ${JSON.stringify(type)} in the retention; use ${RETENTION_MESSAGE_TYPES.join(', ')}`,
      );
    }
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
      throw new RetentionConfigError(
        `The retention of ${type} must be a whole number of days >= 1`,
      );
    }
    retention[type as MessageType] = days;
  }
  return retention;
}

/**
 * The cutoff per type: `now - retention`, but never later than the archive cursor's `syncTime`,
 * since only what changed before the cursor is known to be archived (invariant 1). Without a
 * cursor time nothing is a candidate, so the result is empty.
 */
export function purgeCutoffs(
  retention: RetentionDays,
  now: Date,
  cursorSyncTime: string | undefined,
): PurgeCutoffs {
  const cursorMs = cursorSyncTime === undefined ? Number.NaN : Date.parse(cursorSyncTime);
  if (Number.isNaN(cursorMs)) return {};
  const cutoffs: PurgeCutoffs = {};
  for (const type of RETENTION_MESSAGE_TYPES) {
    const days = retention[type];
    if (days === undefined) continue;
    cutoffs[type] = new Date(Math.min(now.getTime() - days * DAY_MS, cursorMs)).toISOString();
  }
  return cutoffs;
}

/** Why a listed record is not a candidate; `undefined` when it is one. */
export type NotCandidateReason =
  | 'type-without-retention'
  | 'not-alive'
  | 'too-recent'
  | 'changed-after-archive-cursor'
  | 'no-creation-time';

/**
 * Checks one record against the cutoffs: created before its type's cutoff, and not modified
 * after the cursor (a change the archive has not seen yet is not proven archived).
 */
export function notCandidateReason(
  record: MessageRecord,
  cutoffs: PurgeCutoffs,
  cursorSyncTime: string,
): NotCandidateReason | undefined {
  const type = record.type === 'Text' ? undefined : record.type;
  const cutoff = type === undefined ? undefined : cutoffs[type];
  if (cutoff === undefined) return 'type-without-retention';
  if (record.availability !== undefined && record.availability !== 'Alive') return 'not-alive';
  const created = Date.parse(record.creationTime ?? '');
  if (Number.isNaN(created)) return 'no-creation-time';
  if (created >= Date.parse(cutoff)) return 'too-recent';
  const modified = Date.parse(record.lastModifiedTime ?? '');
  if (!Number.isNaN(modified) && modified > Date.parse(cursorSyncTime)) {
    return 'changed-after-archive-cursor';
  }
  return undefined;
}

/** Options of {@link listPurgeCandidates}. */
export interface CandidateListing {
  /** `~` or an extension id, as configured. */
  extension: string;
  cutoffs: PurgeCutoffs;
  cursorSyncTime: string;
  /** Oldest creation time listed; RingCentral defaults to 24 h before dateTo, so always set. */
  dateFrom: string;
  /** Stop after this many candidates; the rest wait for the next run. */
  maxCandidates: number;
  /** Records per listing page; default 1000 (RingCentral's maximum, fewest reads). */
  perPage?: number;
}

/** What a listing found. */
export interface CandidateList {
  candidates: MessageRecord[];
  /** Listing requests made. */
  pages: number;
  /** True when `maxCandidates` stopped the listing before its end. */
  truncated: boolean;
}

/**
 * Lists the extension's Alive messages of every type with a retention, created before the
 * latest cutoff, in one listing (one request per 1000 records), and keeps the candidates.
 * Collects before anything is deleted: deleting while paging would shift later pages.
 */
export async function listPurgeCandidates(
  messages: Pick<MessagesApi, 'list'>,
  listing: CandidateListing,
  options?: CallOptions,
): Promise<CandidateList> {
  const types = RETENTION_MESSAGE_TYPES.filter((type) => listing.cutoffs[type] !== undefined);
  const latest = types
    .map((type) => Date.parse(listing.cutoffs[type] ?? ''))
    .reduce((max, value) => Math.max(max, value), Number.NEGATIVE_INFINITY);
  if (types.length === 0 || !Number.isFinite(latest) || latest <= Date.parse(listing.dateFrom)) {
    return { candidates: [], pages: 0, truncated: false };
  }
  const candidates: MessageRecord[] = [];
  let pages = 0;
  const pagesOf = messages.list(
    {
      extensionId: listing.extension,
      availability: ['Alive'],
      messageType: [...types],
      dateFrom: listing.dateFrom,
      dateTo: new Date(latest).toISOString(),
      perPage: listing.perPage ?? 1000,
    },
    options,
  );
  for await (const page of pagesOf) {
    pages += 1;
    for (const record of page.records) {
      if (notCandidateReason(record, listing.cutoffs, listing.cursorSyncTime) !== undefined) {
        continue;
      }
      candidates.push(record);
      if (candidates.length >= listing.maxCandidates) {
        return { candidates, pages, truncated: true };
      }
    }
  }
  return { candidates, pages, truncated: false };
}
