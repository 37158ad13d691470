/**
 * The environment of the purge function: the archive's shared settings and purge's own, with
 * their defaults (dry run until an operator turns deleting on).
 */
import { PURGE_DEFAULTS } from '../archive/defaults.ts';
import type { ArchiveRetention } from '../archive/settings.ts';
import { archiveSettings } from '../archive/settings.ts';
import { env } from '../runtime/config.ts';
import * as z from '../validation/zod.ts';
import { parseRetentionDays, type RetentionDays } from './candidates.ts';
import type { PurgeSettings } from './run.ts';

const retentionDays = z.pipe(
  env.json,
  z.transform((value: unknown, context): RetentionDays => {
    try {
      return parseRetentionDays(value);
    } catch (error) {
      context.issues.push({ code: 'custom', message: (error as Error).message, input: value });
      return z.NEVER;
    }
  }),
);

/** The environment purge needs, validated at cold start. */
export const purgeSettings = z.object({
  ...archiveSettings,
  /** Days per message type, e.g. {"Fax":90,"VoiceMail":90,"SMS":365,"Pager":30}; default {}. */
  PURGE_RETENTION_DAYS: z._default(retentionDays, {}),
  /** Report only; default true until an operator turns deleting on. */
  PURGE_DRY_RUN: z._default(env.boolean, PURGE_DEFAULTS.dryRun),
  /** `purge=true`: skip RingCentral's Deleted state (no 5-day recycle bin); default false. */
  PURGE_HARD: z._default(env.boolean, PURGE_DEFAULTS.hardPurge),
  /** Candidates per extension and run; default 10,000. */
  PURGE_MAX_MESSAGES: z._default(env.positiveInt, PURGE_DEFAULTS.maxCandidatesPerExtension),
});

/**
 * What every purge run does, from the validated environment: the archive's Object Lock
 * retention (when set) is required of every object before its message is deleted.
 */
export function purgeRunSettings(
  config: z.infer<typeof purgeSettings>,
  retention: ArchiveRetention | undefined,
): Omit<PurgeSettings, 'extensions'> {
  return {
    retentionDays: config.PURGE_RETENTION_DAYS,
    dryRun: config.PURGE_DRY_RUN,
    hardPurge: config.PURGE_HARD,
    dateFrom: config.ARCHIVE_START_DATE,
    maxCandidatesPerExtension: config.PURGE_MAX_MESSAGES,
    ...(retention ? { requiredRetention: { days: retention.days } } : {}),
  };
}
