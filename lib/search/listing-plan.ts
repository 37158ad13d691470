/**
 * The listing prefixes a search needs: the key layout (`archive/{account}/{extension}/{yyyy}/
 * {mm}/{dd}/...`) puts account, extension and date first, so a search lists only the months (or,
 * at the ends of the range, the days) of its range under each extension it covers.
 */
import type { SearchCriteria } from './criteria.ts';

const DAY_MS = 86_400_000;

const pad = (value: number) => String(value).padStart(2, '0');

/** `yyyy/mm/` and `yyyy/mm/dd/` path parts covering [from, to): whole months as one part. */
export function datePrefixes(from: string, to: string): string[] {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const parts: string[] = [];
  let day = Date.UTC(
    new Date(start).getUTCFullYear(),
    new Date(start).getUTCMonth(),
    new Date(start).getUTCDate(),
  );
  while (day < end) {
    const date = new Date(day);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    const monthEnd = Date.UTC(year, month + 1, 1);
    if (date.getUTCDate() === 1 && monthEnd <= end) {
      parts.push(`${year}/${pad(month + 1)}/`);
      day = monthEnd;
    } else {
      parts.push(`${year}/${pad(month + 1)}/${pad(date.getUTCDate())}/`);
      day += DAY_MS;
    }
  }
  return parts;
}

/** The prefixes under one extension (`archive/{account}/{extension}/`) that a search lists. */
export function extensionPrefixes(extensionPrefix: string, criteria: SearchCriteria): string[] {
  return datePrefixes(criteria.from, criteria.to).map((part) => `${extensionPrefix}${part}`);
}
