/**
 * The environment variables archive and purge share: the same names, meanings and defaults, so one
 * deployment setting configures both functions alike.
 */
import { env } from '../runtime/config.ts';
import * as z from '../validation/zod.ts';
import { ARCHIVE_DEFAULTS } from './defaults.ts';

/** `~` (the token's own extension) or a decimal extension id. */
export const extensionRef = z
  .string()
  .check(z.regex(/^(~|\d{1,20})$/, 'must be "~" or a decimal id'));

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
  /** Comma-separated extension ids; default `~` (the token's own extension). */
  ARCHIVE_EXTENSIONS: z._default(z.pipe(env.list, z.array(extensionRef).check(z.minLength(1))), [
    '~',
  ]),
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
