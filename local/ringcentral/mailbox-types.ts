/**
 * The shapes the local RingCentral keeps its mailbox in. They follow the spec's
 * `GetMessageInfoResponse` and `MessageAttachmentInfo` field by field, except that every id is a
 * string: ids exceed 2^53, so they never pass through a JavaScript number. `json.ts` writes the
 * fields the spec types as int64 back out as bare JSON numbers.
 */

/** Message types as the spec's `MessageTypeEnum` (MMS is an SMS with attachments). */
export type MessageType = 'Fax' | 'SMS' | 'VoiceMail' | 'Pager' | 'Text';

/** The spec's `MessageDirectionEnum`. */
export type MessageDirection = 'Inbound' | 'Outbound';

/** The spec's `MessageAvailabilityEnum`: Alive -> Deleted -> Purged. */
export type MessageAvailability = 'Alive' | 'Deleted' | 'Purged';

/** The spec's `MessageReadStatusEnum`. */
export type MessageReadStatus = 'Read' | 'Unread';

/** The spec's `MessageStatusEnum`. */
export type MessageStatus =
  | 'Queued'
  | 'Sent'
  | 'Delivered'
  | 'DeliveryFailed'
  | 'SendingFailed'
  | 'Received';

/** The spec's `MessageAttachmentTypeEnum`. */
export type AttachmentType =
  | 'AudioRecording'
  | 'AudioTranscription'
  | 'Text'
  | 'SourceDocument'
  | 'RenderedDocument'
  | 'MmsAttachment';

/** One party of a message: the spec's `MessageStoreCallerInfoResponseFrom`/`...To`. */
export interface StoredCaller {
  phoneNumber?: string;
  extensionNumber?: string;
  extensionId?: string;
  name?: string;
  location?: string;
  messageStatus?: MessageStatus;
  faxErrorCode?: string;
  target?: boolean;
  recipientId?: string;
}

/** An attachment as the spec's `MessageAttachmentInfo`, id as a string. */
export interface StoredAttachment {
  /** int64 in the spec; kept as a decimal string. */
  id: string;
  /** Where the content is served: the media host's `.../content/{attachmentId}`. */
  uri: string;
  type: AttachmentType;
  contentType: string;
  /** Size in bytes; the content generator produces exactly this many. */
  size: number;
  fileName?: string;
  vmDuration?: number;
  height?: number;
  width?: number;
}

/** A stored message: the spec's `GetMessageInfoResponse` shape with every id a string. */
export interface StoredMessage {
  /** int64 in the spec; kept as a decimal string. */
  id: string;
  uri: string;
  extensionId: string;
  type: MessageType;
  direction: MessageDirection;
  availability: MessageAvailability;
  messageStatus: MessageStatus;
  readStatus: MessageReadStatus;
  creationTime: string;
  lastModifiedTime: string;
  from?: StoredCaller;
  to: StoredCaller[];
  subject?: string;
  /** int64 in the spec (SMS and Pager only); kept as a decimal string, may exceed 2^53. */
  conversationId?: string;
  conversation?: { id: string; uri?: string };
  /** Empty once the message is Purged (attachments are erased). */
  attachments: StoredAttachment[];
  priority?: 'Normal' | 'High';
  faxPageCount?: number;
  faxResolution?: 'High' | 'Low';
  coverIndex?: number;
  coverPageText?: string;
  smsDeliveryTime?: string;
  smsSendingAttemptsCount?: number;
  segmentCount?: number;
  deliveryErrorCode?: string;
  vmTranscriptionStatus?:
    | 'NotAvailable'
    | 'InProgress'
    | 'TimedOut'
    | 'Completed'
    | 'CompletedPartially'
    | 'Failed'
    | 'Unknown';
  pgToDepartment?: boolean;
}
