/**
 * The eviction warning: RingCentral evicts old messages without anyone deleting them (FACTS.md:
 * outside HIPAA accounts about 200 fax/voicemail messages per inbox and 5,000 SMS per folder;
 * HIPAA accounts keep 30 days). An extension whose unarchived messages approach a cap is about
 * to lose records for good, so it is named before it happens.
 *
 * Decided: the count of unarchived messages comes from the reconciliation's listing (its
 * `missing` per type, summed over the days one run reconciled), measured against 80% of the cap;
 * no extra RingCentral request. Fax and VoiceMail share the inbox's cap, SMS and Pager the text
 * folder's. Age: a message still unarchived 24 days (80% of 30) after its day is warned about
 * whatever the account (HIPAA or not: the archive cannot tell). The daily run sees one day, so
 * a backlog spread over many days shows through the oldest-complete-archive alarm instead;
 * invoked with a range, the run sums the range.
 */
import type { ExtensionDayReconciliation } from './reconciliation.ts';

/** Warn at this share of a cap. */
export const EVICTION_WARNING_SHARE = 0.8;
/** HIPAA accounts keep messages this many days. */
export const HIPAA_RETENTION_DAYS = 30;

/** RingCentral's caps, by the message types that share them. */
export const EVICTION_CAPS = [
  { cap: 'inbox', types: ['Fax', 'VoiceMail'], messages: 200 },
  { cap: 'text-folder', types: ['SMS', 'Pager'], messages: 5_000 },
] as const;

/** One extension close to losing unarchived messages. */
export interface EvictionWarning {
  extensionId: string;
  extensionNumber?: string;
  name?: string;
  /** Which cap: a mailbox cap, or `age` (HIPAA's 30 days). */
  cap: (typeof EVICTION_CAPS)[number]['cap'] | 'age';
  /** Unarchived messages counted against it. */
  unarchived: number;
  /** The warning threshold (80% of the cap; days for `age`). */
  threshold: number;
  /** The oldest day with unarchived messages (for `age`). */
  oldestDate?: string;
}

/** The warnings for a run's reconciled extension-days, at `now`. */
export function evictionWarnings(
  reconciled: readonly ExtensionDayReconciliation[],
  now: number,
): EvictionWarning[] {
  const byExtension = new Map<string, ExtensionDayReconciliation[]>();
  for (const day of reconciled) {
    byExtension.set(day.extensionId, [...(byExtension.get(day.extensionId) ?? []), day]);
  }
  const ageThresholdDays = Math.floor(HIPAA_RETENTION_DAYS * EVICTION_WARNING_SHARE);
  const warnings: EvictionWarning[] = [];
  for (const [extensionId, days] of byExtension) {
    const first = days[0];
    const identity = {
      extensionId,
      ...(first?.extensionNumber ? { extensionNumber: first.extensionNumber } : {}),
      ...(first?.name ? { name: first.name } : {}),
    };
    for (const { cap, types, messages } of EVICTION_CAPS) {
      const unarchived = days.reduce(
        (sum, day) =>
          sum + types.reduce((typeSum, type) => typeSum + (day.byType[type]?.missing ?? 0), 0),
        0,
      );
      const threshold = Math.floor(messages * EVICTION_WARNING_SHARE);
      if (unarchived >= threshold) warnings.push({ ...identity, cap, unarchived, threshold });
    }
    const old = days.filter(
      (day) =>
        day.missing > 0 &&
        now - Date.parse(`${day.date}T00:00:00.000Z`) >= ageThresholdDays * 86_400_000,
    );
    if (old.length > 0) {
      warnings.push({
        ...identity,
        cap: 'age',
        unarchived: old.reduce((sum, day) => sum + day.missing, 0),
        threshold: ageThresholdDays,
        oldestDate: old.map((day) => day.date).sort()[0] as string,
      });
    }
  }
  return warnings;
}
