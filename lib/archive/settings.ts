/**
 * The environment variables archive and purge share: the same names, meanings and defaults, so one
 * deployment setting configures both functions alike.
 */
import { ConfigError, env } from '../runtime/config.ts';
import * as z from '../validation/zod.ts';
import { ARCHIVE_DEFAULTS } from './defaults.ts';

/** `~` (the token's own extension) or a decimal extension id. */
export const extensionRef = z
  .string()
  .check(z.regex(/^(~|\d{1,20})$/, 'must be "~" or a decimal id'));

/** A decimal extension id, as the registry holds them. */
export const extensionId = z.string().check(z.regex(/^\d{1,20}$/, 'must be a decimal id'));

/** A share in [0, 1); unset or empty means the default. */
const reserveShare = z.pipe(
  z.transform((value: unknown) =>
    typeof value === 'string' && value.trim() === '' ? undefined : value,
  ),
  z.optional(
    z.pipe(
      z.string().check(z.regex(/^(0(\.\d+)?|\.\d+)$/, 'must be a share in [0, 1)')),
      z.transform(Number),
    ),
  ),
);

/** The shared variables, as a shape for each function's `z.object`. */
export const archiveSettings = {
  STATE_TABLE_NAME: env.requiredString,
  CREDENTIALS_SECRET_ID: env.requiredString,
  SESSION_SECRET_ID: env.requiredString,
  ARCHIVE_BUCKET_NAME: env.requiredString,
  /**
   * Object Lock mode every archived object is written with (`GOVERNANCE` or `COMPLIANCE`); unset:
   * none (the bucket's default retention, if any, applies). Set by the stack from
   * `objectLock`; purge then requires that retention of every object it proves archived.
   */
  ARCHIVE_RETENTION_MODE: z.pipe(
    env.optionalString,
    z.optional(
      z.enum(['GOVERNANCE', 'COMPLIANCE'], { message: 'must be GOVERNANCE or COMPLIANCE' }),
    ),
  ),
  /** Days of that retention; required with ARCHIVE_RETENTION_MODE. */
  ARCHIVE_RETENTION_DAYS: z.optional(env.positiveInt),
  /**
   * FSync start (ISO date-time) on the first run and after MSG-333; purge lists no older, since
   * nothing older was archived and so nothing older could be verified.
   */
  ARCHIVE_START_DATE: z._default(z.iso.datetime({ offset: true }), ARCHIVE_DEFAULTS.startDate),
  /**
   * Share of the Medium group's window left to interactive sends (downloads and deletes are
   * Medium); default `ARCHIVE_DEFAULTS.mediumReserve` (0.3).
   */
  ARCHIVE_MEDIUM_RESERVE: reserveShare,
};

/** The Object Lock retention of the archive: both variables, or neither. */
export interface ArchiveRetention {
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  days: number;
}

/**
 * The retention the settings name, or undefined. A mode without days (or days without a mode)
 * is a deployment error: thrown as the ConfigError of the missing variable.
 */
export function archiveRetention(config: {
  ARCHIVE_RETENTION_MODE?: 'GOVERNANCE' | 'COMPLIANCE' | undefined;
  ARCHIVE_RETENTION_DAYS?: number | undefined;
}): ArchiveRetention | undefined {
  const mode = config.ARCHIVE_RETENTION_MODE;
  const days = config.ARCHIVE_RETENTION_DAYS;
  if (mode === undefined && days === undefined) return undefined;
  if (mode === undefined) {
    throw new ConfigError('ARCHIVE_RETENTION_MODE', 'is required with ARCHIVE_RETENTION_DAYS');
  }
  if (days === undefined) {
    throw new ConfigError('ARCHIVE_RETENTION_DAYS', 'is required with ARCHIVE_RETENTION_MODE');
  }
  return { mode, days };
}
