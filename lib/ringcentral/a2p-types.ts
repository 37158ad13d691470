/**
 * High-volume (A2P) SMS types from RingCentral's OpenAPI description (the `a2p-sms` paths). Every
 * id is a string: the spec types a message id as int64, and a batch id as a string.
 */

/** `MessageBatchResponse.status`; FACTS.md also lists `Queued` for a batch not yet picked up. */
export type A2pBatchStatus = 'Queued' | 'Processing' | 'Completed' | 'Sent';

/** `SmsStatusEnum`: one recipient's message. */
export type A2pMessageStatus = 'Queued' | 'Delivered' | 'Sent' | 'SendingFailed' | 'DeliveryFailed';

/** `RejectedRecipientResponseResource`: a recipient RingCentral refused when it took the batch. */
export interface A2pRejectedRecipient {
  /** Position in the request's `messages`. */
  index?: number;
  to?: string[];
  errorCode?: string;
  description?: string;
}

/** `MessageBatchResponse` */
export interface A2pBatch {
  id: string;
  from?: string;
  /** Messages RingCentral accepted. */
  batchSize?: number;
  /** Messages processed so far. */
  processedCount?: number;
  status?: A2pBatchStatus;
  creationTime?: string;
  lastModifiedTime?: string;
  rejected?: A2pRejectedRecipient[];
  cost?: number;
}

/** `NonEnumeratedPagingModel`: pages addressed by opaque tokens. */
export interface TokenPaging {
  perPage: number;
  pageToken?: string;
  nextPageToken?: string;
  previousPageToken?: string;
  firstPageToken?: string;
}

/** `MessageListMessageResponse`: one recipient's message of a batch. */
export interface A2pMessage {
  id: string;
  batchId?: string;
  from?: string;
  to?: string[];
  creationTime?: string;
  lastModifiedTime?: string;
  messageStatus?: A2pMessageStatus;
  segmentCount?: number;
  /** Only with `view: 'Detailed'`. */
  text?: string;
  cost?: number;
  direction?: 'Inbound' | 'Outbound';
  /** Why sending or delivery failed, e.g. `SMS-UP-410`. */
  errorCode?: string;
}

/** `MessageListResponse` */
export interface A2pMessagePage {
  records: A2pMessage[];
  paging?: TokenPaging;
}

/** `OptOutResponse` */
export interface A2pOptOut {
  from?: string;
  to?: string;
  status?: 'OptIn' | 'OptOut';
  source?: 'Recipient' | 'Account' | 'Upstream' | 'Carrier';
}

/** `OptOutListResponse` */
export interface A2pOptOutPage {
  records: A2pOptOut[];
  paging?: TokenPaging;
}
