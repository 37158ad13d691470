/**
 * S3 Object Lock's rules, as AWS documents them, without HTTP: which retention a new version
 * gets, when a version may be deleted, and how a retention may change. Modes: GOVERNANCE (a caller
 * sending `x-amz-bypass-governance-retention: true` may delete the version or shorten, remove or
 * change its retention) and COMPLIANCE (nobody may, until the retain-until date has passed). A
 * legal hold keeps a version whatever its retention, until the hold is lifted.
 */
import { S3Error, s3Errors } from './s3-error.ts';

/** S3's two retention modes. */
export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';

/** One version's retention: locked until `retainUntil` (ISO 8601). */
export interface Retention {
  mode: RetentionMode;
  retainUntil: string;
}

/** A bucket's default retention: applied to new versions that name none. */
export interface DefaultRetention {
  mode: RetentionMode;
  /** Exactly one of days and years. */
  days?: number;
  years?: number;
}

/** A bucket created with Object Lock (which enables versioning for good). */
export interface BucketLock {
  defaultRetention?: DefaultRetention;
}

/** One version of a key, or a delete marker. */
export interface ObjectVersion {
  versionId: string;
  deleteMarker: boolean;
  lastModified: string;
  etag?: string;
  size?: number;
  retention?: Retention;
  legalHold?: 'ON' | 'OFF';
}

const MODES: readonly string[] = ['GOVERNANCE', 'COMPLIANCE'];
const DAY_MS = 24 * 60 * 60 * 1000;

function parseMode(value: string): RetentionMode {
  if (!MODES.includes(value)) throw s3Errors.unknownMode();
  return value as RetentionMode;
}

function parseRetainUntil(value: string): number {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw s3Errors.invalidDate();
  return time;
}

/** The lock a PutObject or CreateMultipartUpload asks for in its `x-amz-object-lock-*` headers. */
export interface RequestedLock {
  retention?: Retention;
  legalHold?: 'ON' | 'OFF';
}

/** True when the request carries any Object Lock header. */
export function hasLockHeaders(headers: Record<string, string | string[] | undefined>): boolean {
  return Object.keys(headers).some((name) => name.startsWith('x-amz-object-lock-'));
}

/**
 * The lock of a new version: the request's headers, else the bucket's default retention. Throws
 * S3's InvalidArgument for half a retention, an unknown mode, a date not in the future or a hold
 * other than ON or OFF.
 */
export function lockOfNewVersion(
  headers: Record<string, string | string[] | undefined>,
  bucket: BucketLock,
  now: number,
): RequestedLock {
  const mode = headers['x-amz-object-lock-mode'];
  const until = headers['x-amz-object-lock-retain-until-date'];
  const hold = headers['x-amz-object-lock-legal-hold'];
  const lock: RequestedLock = {};
  if ((mode === undefined) !== (until === undefined)) throw s3Errors.lockHeadersIncomplete();
  if (typeof mode === 'string' && typeof until === 'string') {
    const parsedMode = parseMode(mode);
    const time = parseRetainUntil(until);
    if (time <= now) throw s3Errors.retainUntilInPast();
    lock.retention = { mode: parsedMode, retainUntil: new Date(time).toISOString() };
  } else if (bucket.defaultRetention) {
    lock.retention = defaultRetentionFrom(bucket.defaultRetention, now);
  }
  if (hold !== undefined) {
    if (hold !== 'ON' && hold !== 'OFF') throw s3Errors.invalidLegalHold();
    lock.legalHold = hold;
  }
  return lock;
}

/** A default retention turned into a retain-until date from `now` (a year is 365 days, as S3). */
export function defaultRetentionFrom(rule: DefaultRetention, now: number): Retention {
  const days = rule.days ?? (rule.years ?? 0) * 365;
  return { mode: rule.mode, retainUntil: new Date(now + days * DAY_MS).toISOString() };
}

/** True while the retention still protects its version. */
export function isRetained(retention: Retention | undefined, now: number): boolean {
  return retention !== undefined && Date.parse(retention.retainUntil) > now;
}

/**
 * Throws S3's AccessDenied when `version` may not be deleted: a legal hold, a compliance retention
 * not yet passed, or a governance one without the bypass header.
 */
export function assertDeletable(version: ObjectVersion, now: number, bypass: boolean): void {
  if (version.legalHold === 'ON') throw s3Errors.objectLocked();
  if (!isRetained(version.retention, now)) return;
  if (version.retention?.mode === 'COMPLIANCE' || !bypass) throw s3Errors.objectLocked();
}

/**
 * Throws S3's AccessDenied when a retention may not become `next`: while the current one holds,
 * compliance may only be extended, and governance may be shortened or changed in mode only with
 * the bypass header. Once passed, anything goes.
 */
export function assertRetentionChange(
  current: Retention | undefined,
  next: Retention,
  now: number,
  bypass: boolean,
): void {
  if (Date.parse(next.retainUntil) <= now) throw s3Errors.retainUntilInPast();
  if (!current || !isRetained(current, now)) return;
  const weakens =
    current.mode !== next.mode || Date.parse(next.retainUntil) < Date.parse(current.retainUntil);
  if (!weakens) return;
  if (current.mode === 'COMPLIANCE' || !bypass) throw s3Errors.accessDenied();
}

/** The text of the first `<name>` element, or undefined. */
function element(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]?.trim();
}

/** A PutObjectRetention body. */
export function parseRetentionXml(xml: string): Retention {
  const mode = element(xml, 'Mode');
  const until = element(xml, 'RetainUntilDate');
  if (!mode || !until || !MODES.includes(mode)) throw s3Errors.malformedXml();
  return {
    mode: mode as RetentionMode,
    retainUntil: new Date(parseRetainUntil(until)).toISOString(),
  };
}

/** A PutObjectLegalHold body. */
export function parseLegalHoldXml(xml: string): 'ON' | 'OFF' {
  const status = element(xml, 'Status');
  if (status !== 'ON' && status !== 'OFF') throw s3Errors.malformedXml();
  return status;
}

/** A PutObjectLockConfiguration body. */
export function parseBucketLockXml(xml: string): BucketLock {
  if (element(xml, 'ObjectLockEnabled') !== 'Enabled') throw s3Errors.malformedXml();
  if (!xml.includes('<Rule>')) return {};
  const mode = element(xml, 'Mode');
  const days = element(xml, 'Days');
  const years = element(xml, 'Years');
  if (!mode || !MODES.includes(mode) || (days === undefined) === (years === undefined)) {
    throw s3Errors.malformedXml();
  }
  const count = Number(days ?? years);
  if (!Number.isInteger(count) || count <= 0) {
    throw new S3Error(
      'InvalidArgument',
      400,
      'Default retention period must be a positive integer value.',
    );
  }
  return {
    defaultRetention: {
      mode: mode as RetentionMode,
      ...(days !== undefined ? { days: count } : { years: count }),
    },
  };
}

/** GetObjectLockConfiguration's answer. */
export function bucketLockXml(lock: BucketLock): string {
  const rule = lock.defaultRetention;
  const period =
    rule?.days !== undefined ? `<Days>${rule.days}</Days>` : `<Years>${rule?.years}</Years>`;
  return `<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled>${
    rule
      ? `<Rule><DefaultRetention><Mode>${rule.mode}</Mode>${period}</DefaultRetention></Rule>`
      : ''
  }</ObjectLockConfiguration>`;
}

/** The `x-amz-*` headers S3 sends with a version on GET and HEAD. */
export function versionHeaders(version: ObjectVersion): Record<string, string> {
  const headers: Record<string, string> = { 'x-amz-version-id': version.versionId };
  if (version.retention) {
    headers['x-amz-object-lock-mode'] = version.retention.mode;
    headers['x-amz-object-lock-retain-until-date'] = version.retention.retainUntil;
  }
  if (version.legalHold) headers['x-amz-object-lock-legal-hold'] = version.legalHold;
  return headers;
}
