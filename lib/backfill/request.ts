/** What a backfill archives: the date range and message types, and the scope they make. */
import type { MessageType } from '../ringcentral/index.ts';

/** Message types the export and the list filter accept. */
export const BACKFILL_MESSAGE_TYPES: readonly MessageType[] = ['Fax', 'SMS', 'VoiceMail', 'Pager'];

/** What to archive. */
export interface BackfillRequest {
  /** ISO date-time: the oldest creationTime to archive. */
  dateFrom: string;
  /** ISO date-time; default now. */
  dateTo?: string;
  /** Default every type. */
  messageTypes?: readonly MessageType[];
}

/** The checkpoint scope: a rerun with other dates or types starts afresh. */
export function backfillScope(request: BackfillRequest, accountId = '~'): string {
  const types = [...(request.messageTypes ?? BACKFILL_MESSAGE_TYPES)].sort().join(',');
  return `account=${accountId};from=${request.dateFrom};to=${request.dateTo ?? ''};types=${types}`;
}
