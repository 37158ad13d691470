/**
 * A sent message's current status, for the caller that sent it: read from RingCentral, cached for
 * a few seconds so that callers polling in a loop cost RingCentral one Light request per message
 * per cache period, whatever their number.
 */
import type { CallOptions, MessageRecord } from '../ringcentral/index.ts';
import { defined } from './defined-fields.ts';
import type { SentMessageLedger } from './ports.ts';

/** How long a status is served from the cache by default. */
export const DEFAULT_STATUS_CACHE_SECONDS = 5;

/** One recipient's status (a fax reports per recipient). */
export interface RecipientStatus {
  phoneNumber?: string;
  extensionNumber?: string;
  messageStatus?: string;
  faxErrorCode?: string;
}

/** How RingCentral reports a sent message's delivery: a status view and a status change carry the same. */
export interface DeliveryFields {
  /** RingCentral's delivery error code, when delivery failed. */
  deliveryErrorCode?: string;
  /** When the SMS was delivered. */
  smsDeliveryTime?: string;
  smsSendingAttemptsCount?: number;
  faxPageCount?: number;
  faxResolution?: string;
  /** Each recipient's status (a fax's result per recipient, with `faxErrorCode`). */
  recipients: RecipientStatus[];
}

/** What `GET /messages/{id}` answers. */
export interface MessageStatusView extends DeliveryFields {
  id: string;
  type?: string;
  messageStatus?: string;
  creationTime?: string;
  lastModifiedTime?: string;
  /** When this status was read from RingCentral (served from the cache until a few seconds on). */
  readAt: string;
}

/**
 * The message is not one this caller sent through this API (or it was never sent): answered as
 * absent, so that a caller learns nothing about other callers' messages.
 */
export class MessageNotFoundError extends Error {
  override name = 'MessageNotFoundError';
  readonly messageId: string;
  constructor(messageId: string) {
    super(`No message ${messageId} sent by this caller`);
    this.messageId = messageId;
  }
}

/** The status fields of a RingCentral message record. */
export function messageStatusView(record: MessageRecord, readAt: Date): MessageStatusView {
  return defined({
    id: record.id,
    type: record.type,
    messageStatus: record.messageStatus,
    creationTime: record.creationTime,
    lastModifiedTime: record.lastModifiedTime,
    deliveryErrorCode: record.deliveryErrorCode,
    smsDeliveryTime: record.smsDeliveryTime,
    smsSendingAttemptsCount: record.smsSendingAttemptsCount,
    faxPageCount: record.faxPageCount,
    faxResolution: record.faxResolution,
    recipients: (record.to ?? []).map((party) =>
      defined({
        phoneNumber: party.phoneNumber,
        extensionNumber: party.extensionNumber,
        messageStatus: party.messageStatus,
        faxErrorCode: party.faxErrorCode,
      }),
    ),
    readAt: readAt.toISOString(),
  });
}

/** Options of {@link readMessageStatus}. */
export interface ReadMessageStatusOptions {
  ledger: SentMessageLedger;
  /** The caller's principal. */
  caller: string;
  messageId: string;
  /** Reads the record from RingCentral (`messages.get`). */
  readMessage(messageId: string, options: CallOptions): Promise<MessageRecord>;
  cacheSeconds?: number;
  now?: () => Date;
}

/**
 * The current status of a message the caller sent: `MessageNotFoundError` unless the ledger names
 * this caller as its sender; the cached status while it is fresh; else RingCentral's record,
 * then cached.
 */
export async function readMessageStatus(
  options: ReadMessageStatusOptions,
  callOptions: CallOptions,
): Promise<MessageStatusView> {
  const sender = await options.ledger.senderOf(options.messageId);
  if (sender?.caller !== options.caller) throw new MessageNotFoundError(options.messageId);
  const cached = await options.ledger.cachedStatus(options.messageId);
  if (cached) return cached;
  const record = await options.readMessage(options.messageId, callOptions);
  const status = messageStatusView(record, (options.now ?? (() => new Date()))());
  await options.ledger.cacheStatus(
    options.messageId,
    status,
    options.cacheSeconds ?? DEFAULT_STATUS_CACHE_SECONDS,
  );
  return status;
}
