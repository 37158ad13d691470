/**
 * The account's extensions as the archive sees them: what RingCentral listed, what the policy
 * decided, and how far each one's archive has got. Kept in the state table (invariant 10:
 * nothing that grows with the account lives in the environment or the template); this module
 * holds only the contracts. The DynamoDB adapter is `lib/aws/extension-registry.ts`.
 */

/** RingCentral's extension types (the spec's `AllExtensionTypesEnum`); unknown ones kept as strings. */
export type ExtensionType = string;

/** RingCentral's extension statuses (`ExtensionStatusEnumFull`). */
export type ExtensionStatus = 'Enabled' | 'Disabled' | 'Frozen' | 'NotActivated' | 'Unassigned';

/** What the registry knows of one extension. Ids are decimal strings (invariant 7). */
export interface ExtensionEntry {
  id: string;
  extensionNumber?: string;
  name?: string;
  type: ExtensionType;
  status: ExtensionStatus | string;
  /** ISO time discovery first listed it. */
  firstSeen: string;
  /** ISO time discovery last listed it. */
  lastSeen: string;
  /**
   * ISO time discovery first found it missing from RingCentral's list. A gone extension keeps
   * its archive, is no longer polled and raises no alarm.
   */
  goneSince?: string;
  /** What the policy decided at the last discovery: archived, or why not. */
  archived: boolean;
  /** Why the policy leaves it out (e.g. `type IvrMenu has no mailbox`, `excluded by id`). */
  skipReason?: string;
  /**
   * ISO time through which every message of the extension is known archived: the `syncTime` of
   * its last complete sync (or the export watermark, whichever is later). Absent until the first
   * complete run; lag is measured from `firstSeen` until then.
   */
  completeThrough?: string;
  /**
   * ISO time through which the account-wide export (archive-export) archived every message of
   * the account, this extension's included: content only (the export carries no deletions or
   * read status, which the per-extension sync still brings). The lag counts from the later of
   * this and `completeThrough`; the sweep interval counts from `completeThrough` alone.
   */
  exportedThrough?: string;
  /** ISO time of the last run that touched it (complete or not). */
  lastRunAt?: string;
  /** The last run's error (name and message, no message text), cleared by a complete run. */
  lastError?: string;
  /**
   * Set when RingCentral refused to let the service user read this extension (CMN-408 and the
   * like): a configuration error, alarmed, never a silent skip.
   */
  permissionError?: string;
  /**
   * ISO time a webhook said the mailbox changed and no complete run has covered it since;
   * targeted runs take these first.
   */
  changedAt?: string;
  /** ISO time purge last finished this extension; purge takes the longest-waiting first. */
  lastPurgeAt?: string;
  /**
   * ISO time the dispatcher last handed it to a worker. Until a run records a later `lastRunAt`
   * (or a worker's timeout has passed) it is in flight and not handed out again.
   */
  dispatchedAt?: string;
}

/** A change to an entry's archive progress, written by a worker after each run. */
export interface ExtensionProgress {
  /** Set by archive runs; purge records only `lastPurgeAt`. */
  lastRunAt?: string;
  /** Present only when the run was complete. */
  completeThrough?: string;
  lastError?: string | null;
  permissionError?: string | null;
  /** Cleared (null) when a complete run covered the change. */
  changedAt?: string | null;
  lastPurgeAt?: string;
}

/**
 * The extension registry. Writes are idempotent; concurrent workers update different
 * extensions, and a worker's progress write never overwrites discovery's identity fields.
 */
export interface ExtensionRegistry {
  /** Every entry (gone ones included), in id order. Streams pages; memory stays per page. */
  list(): AsyncIterable<ExtensionEntry>;
  /** One entry, or undefined. */
  get(id: string): Promise<ExtensionEntry | undefined>;
  /**
   * Writes what discovery learned of an extension: identity, type, status, lastSeen, goneSince,
   * archived and skipReason. Keeps `firstSeen` and every progress field as stored.
   */
  putDiscovered(
    entry: Omit<ExtensionEntry, keyof ExtensionProgress | 'completeThrough' | 'exportedThrough'>,
  ): Promise<void>;
  /**
   * Records a run's progress for one extension (only the fields given). `changedAt: null` clears
   * only a change the run covered (at or before `completeThrough`, when given). Rejects with
   * `ExtensionNotRegisteredError` for an id discovery never wrote.
   */
  recordProgress(id: string, progress: ExtensionProgress): Promise<void>;
  /** Records that the dispatcher handed these extensions to a worker at `at` (`dispatchedAt`). */
  markDispatched(ids: readonly string[], at: string): Promise<void>;
  /**
   * Records that the account-wide export archived every message created through `through`
   * (`exportedThrough`); never moves it back. An id discovery removed meanwhile is skipped.
   */
  markExported(ids: readonly string[], through: string): Promise<void>;
  /**
   * Marks a mailbox changed (webhook); keeps the earliest unhandled change time. Rejects with
   * `ExtensionNotRegisteredError` for an id discovery never wrote (discovery then finds it new).
   */
  markChanged(id: string, at: string): Promise<void>;
}

/**
 * Which extensions are archived. The default archives every extension whose type has a mailbox,
 * whatever its status (disabled and frozen users' mailboxes still hold records). Rules by id and
 * type narrow or widen it; an id rule wins over a type rule, exclude wins over include.
 */
export interface ArchivePolicy {
  includeTypes?: readonly string[];
  excludeTypes?: readonly string[];
  includeIds?: readonly string[];
  excludeIds?: readonly string[];
}

/** Where the policy lives (the state table), so it can grow with the account. */
export interface ArchivePolicyStore {
  read(): Promise<ArchivePolicy>;
  write(policy: ArchivePolicy): Promise<void>;
}
