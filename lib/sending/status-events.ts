/**
 * The `Message Status Changed` event: what a caller of the send API learns when RingCentral's
 * status of a message it sent changes, with the caller's own correlation id from the send.
 */
import type { MessageRecord } from '../ringcentral/index.ts';
import { type DeliveryFields, messageStatusView } from './message-status.ts';
import type { WatchedMessage } from './ports.ts';

/** The `source` of the events of the sending room (as `…archive`, `…webhook`). */
export const MESSAGE_STATUS_EVENT_SOURCE = 'ringcentral-message-automation.sending';

/** The EventBridge detail-type of a status change. */
export const MESSAGE_STATUS_CHANGED = 'Message Status Changed';

/** Statuses after which RingCentral changes a message no more, per type. */
const FINAL_STATUSES: Readonly<Record<WatchedMessage['type'], readonly string[]>> = {
  SMS: ['Delivered', 'DeliveryFailed', 'SendingFailed', 'Received'],
  // A fax is `Sent` once the receiving machine took it; internal pager messages are `Sent` at once.
  Fax: ['Sent', 'Delivered', 'DeliveryFailed', 'SendingFailed', 'Received'],
  Pager: ['Sent', 'Delivered', 'DeliveryFailed', 'SendingFailed', 'Received'],
};

/** True when `status` is the last one a message of `type` gets. */
export function isFinalStatus(type: WatchedMessage['type'], status: string | undefined): boolean {
  return status !== undefined && FINAL_STATUSES[type].includes(status);
}

/** What found the change: a RingCentral notification, or a scheduled poll. */
export type StatusTrigger = 'notification' | 'poll';

/** The detail of a `Message Status Changed` event. */
export interface MessageStatusChangedDetail extends DeliveryFields {
  messageId: string;
  type: WatchedMessage['type'];
  previousStatus: string;
  messageStatus: string;
  lastModifiedTime?: string;
  /** The caller's reference from the send request, when it gave one. */
  correlationId?: string;
  /** The IAM principal that sent the message. */
  caller: string;
  /** When the change was read from RingCentral. */
  observedAt: string;
  trigger: StatusTrigger;
}

/** The event detail for `watched`, whose record RingCentral now reports with a new status. */
export function statusChangedDetail(
  watched: WatchedMessage,
  record: MessageRecord & { messageStatus: string },
  observedAt: Date,
  trigger: StatusTrigger,
): MessageStatusChangedDetail {
  const {
    id: _id,
    type: _type,
    readAt: _readAt,
    creationTime: _creationTime,
    messageStatus: _status,
    ...status
  } = messageStatusView(record, observedAt);
  return {
    messageId: watched.messageId,
    type: watched.type,
    previousStatus: watched.lastStatus,
    messageStatus: record.messageStatus,
    ...status,
    ...(watched.correlationId === undefined ? {} : { correlationId: watched.correlationId }),
    caller: watched.caller,
    observedAt: observedAt.toISOString(),
    trigger,
  };
}
