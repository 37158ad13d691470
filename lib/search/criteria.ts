/**
 * What a compliance search asks, and the one definition of what matches it. The local scan
 * (local-search.ts) applies {@link matchesManifest}; the Athena query (athena-query.ts) states the
 * same conditions in SQL; a test holds the two to the same results.
 *
 * - party: a phone number in any format (`+1 650 555 0100`) or an extension number; a message
 *   matches when its sender or any recipient has that number, compared digit by digit.
 * - from/to: the message's creationTime lies in [from, to).
 * - types, directions: one of them (RingCentral's spelling: SMS, Fax, VoiceMail, Pager; Inbound,
 *   Outbound), case-insensitive.
 * - extensions: the message is archived under one of these extension ids.
 * - text: the subject contains it, case-insensitive.
 */
import type { ArchiveManifest } from '../archive/manifest.ts';

/** A search; every condition given must hold. */
export interface SearchCriteria {
  /** Digits only (see {@link partyDigits}). */
  party?: string;
  /** ISO date-time, inclusive. */
  from: string;
  /** ISO date-time, exclusive. */
  to: string;
  /** Lower case. */
  types?: string[];
  /** Lower case. */
  directions?: string[];
  extensionIds?: string[];
  /** Lower case. */
  text?: string;
  accountId?: string;
}

/** The digits of a phone or extension number: `+1 (650) 555-0100` -> `16505550100`. */
export function partyDigits(number: string): string {
  return number.replace(/[^0-9]/g, '');
}

/** Where a message.json key says a message is: account, extension, and its message id. */
export function keyParts(key: string): { accountId: string; extensionId: string } | undefined {
  const match = /^archive\/([^/]+)\/([^/]+)\/\d{4}\/\d{2}\/\d{2}\/[^/]+\/message\.json$/.exec(key);
  return match ? { accountId: match[1] as string, extensionId: match[2] as string } : undefined;
}

type Party = { phoneNumber?: string | undefined; extensionNumber?: string | undefined };

function partyMatches(party: Party | undefined, digits: string): boolean {
  if (!party) return false;
  return (
    (party.phoneNumber !== undefined && partyDigits(party.phoneNumber) === digits) ||
    (party.extensionNumber !== undefined && partyDigits(party.extensionNumber) === digits)
  );
}

/** Whether the archived message at `key` matches `criteria`; see the module comment. */
export function matchesManifest(
  key: string,
  manifest: ArchiveManifest,
  criteria: SearchCriteria,
): boolean {
  const message = manifest.message;
  const parts = keyParts(key);
  if (!parts) return false;
  if (criteria.accountId !== undefined && parts.accountId !== criteria.accountId) return false;
  if (criteria.extensionIds && !criteria.extensionIds.includes(parts.extensionId)) return false;
  const created = Date.parse(message.creationTime ?? '');
  if (!(created >= Date.parse(criteria.from) && created < Date.parse(criteria.to))) return false;
  if (criteria.types && !criteria.types.includes(String(message.type ?? '').toLowerCase())) {
    return false;
  }
  if (
    criteria.directions &&
    !criteria.directions.includes(String(message.direction ?? '').toLowerCase())
  ) {
    return false;
  }
  if (criteria.text !== undefined) {
    if (
      !String(message.subject ?? '')
        .toLowerCase()
        .includes(criteria.text)
    )
      return false;
  }
  if (criteria.party !== undefined) {
    const digits = criteria.party;
    if (
      !partyMatches(message.from, digits) &&
      !(message.to ?? []).some((to) => partyMatches(to, digits))
    ) {
      return false;
    }
  }
  return true;
}
