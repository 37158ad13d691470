import type { Transport } from './client.ts';
import type { CallOptions } from './deadline.ts';
import { InvalidInputError } from './errors.ts';
import type { MailboxRef } from './paths.ts';
import { extensionPath } from './paths.ts';
import type { MessageDirection, MessageType, SyncResult } from './types.ts';
import { assertDateTime, assertInteger } from './validation.ts';

/** A full sync: starts a new sync token. */
export interface FullSyncRequest extends MailboxRef {
  syncType: 'FSync';
  dateFrom?: string | Date;
  dateTo?: string | Date;
  /** Approximate number of records. */
  recordCount?: number;
  messageType?: MessageType[];
  direction?: MessageDirection[];
}

/** An incremental sync from a token a previous sync returned. */
export interface IncrementalSyncRequest extends MailboxRef {
  syncType: 'ISync';
  syncToken: string;
  recordCount?: number;
}

/** Either sync. */
export type SyncRequest = FullSyncRequest | IncrementalSyncRequest;

/**
 * `GET .../message-sync`. An invalid or expired token throws `SyncTokenInvalidError` (MSG-333):
 * the caller starts again with an FSync.
 */
export async function syncMessages(
  transport: Transport,
  request: SyncRequest,
  options?: CallOptions,
): Promise<SyncResult> {
  const query: Record<string, string | number | readonly string[] | undefined> = {
    syncType: request?.syncType,
  };
  if (request?.recordCount !== undefined)
    assertInteger(request.recordCount, 1, 250_000, 'recordCount');
  query.recordCount = request?.recordCount;
  if (request?.syncType === 'ISync') {
    if (typeof request.syncToken !== 'string' || request.syncToken === '') {
      throw new InvalidInputError('An ISync needs the syncToken of the previous sync');
    }
    query.syncToken = request.syncToken;
  } else if (request?.syncType === 'FSync') {
    if (request.dateFrom !== undefined)
      query.dateFrom = assertDateTime(request.dateFrom, 'dateFrom');
    if (request.dateTo !== undefined) query.dateTo = assertDateTime(request.dateTo, 'dateTo');
    query.messageType = request.messageType;
    query.direction = request.direction;
  } else {
    throw new InvalidInputError('syncType must be FSync or ISync');
  }
  return transport.json<SyncResult>(
    { method: 'GET', path: `${extensionPath(request)}/message-sync`, group: 'Light', query },
    options,
  );
}
