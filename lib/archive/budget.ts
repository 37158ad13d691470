/**
 * The archive's share of the RingCentral budget. Attachment downloads are in the Medium group,
 * which interactive sends (SMS, pager) also use; the archive leaves a share of each window free.
 */
import { DEFAULT_GROUP_LIMITS } from '../ringcentral/index.ts';
import { ARCHIVE_DEFAULTS } from './defaults.ts';

/** Default share of the Medium window left to interactive sends. */
export const DEFAULT_MEDIUM_RESERVE: number = ARCHIVE_DEFAULTS.mediumReserve;

/**
 * Requests per Medium window the archive's client keeps unused (its `limits.safety.Medium`):
 * `ceil(reserve * limit)`, at least 1 when the reserve is positive. The limit is RingCentral's
 * documented Medium budget unless the deployment states another.
 */
export function mediumSafety(
  reserve: number = DEFAULT_MEDIUM_RESERVE,
  mediumLimit: number = DEFAULT_GROUP_LIMITS.Medium.limit,
): number {
  if (!(reserve >= 0 && reserve < 1)) throw new RangeError('The reserve must be in [0, 1)');
  if (!(Number.isInteger(mediumLimit) && mediumLimit > 0)) {
    throw new RangeError('The Medium limit must be a positive integer');
  }
  return Math.min(mediumLimit - 1, Math.ceil(reserve * mediumLimit));
}
