/**
 * Types derived from RingCentral's OpenAPI description (openapi-message-store.yaml). Every id the
 * spec types as int64 is a string here: conversation ids exceed 2^53.
 */

/** `MessageAvailabilityEnum` */
export type MessageAvailability = 'Alive' | 'Deleted' | 'Purged';
/** `MessageDirectionEnum` */
export type MessageDirection = 'Inbound' | 'Outbound';
/** `MessageTypeEnum` (filters); records may also say `Text`. */
export type MessageType = 'Fax' | 'SMS' | 'VoiceMail' | 'Pager';
/** `MessageReadStatusEnum` */
export type MessageReadStatus = 'Read' | 'Unread';
/** `MessageStatusEnum` */
export type MessageStatus =
  | 'Queued'
  | 'Sent'
  | 'Delivered'
  | 'DeliveryFailed'
  | 'SendingFailed'
  | 'Received';
/** `FaxResolutionEnum` */
export type FaxResolution = 'High' | 'Low';
/** `SyncTypeEnum` */
export type SyncType = 'FSync' | 'ISync';
/** `MessageAttachmentTypeEnum` */
export type MessageAttachmentType =
  | 'AudioRecording'
  | 'AudioTranscription'
  | 'Text'
  | 'SourceDocument'
  | 'RenderedDocument'
  | 'MmsAttachment';

/** `MessageAttachmentInfo` */
export interface MessageAttachment {
  id: string;
  uri?: string;
  type?: MessageAttachmentType;
  contentType?: string;
  vmDuration?: number;
  fileName?: string;
  size?: number;
  height?: number;
  width?: number;
}

/** `MessageStoreCallerInfoResponseFrom` / `...To` */
export interface MessageParty {
  extensionNumber?: string;
  extensionId?: string;
  location?: string;
  name?: string;
  phoneNumber?: string;
  target?: boolean;
  messageStatus?: MessageStatus;
  faxErrorCode?: string;
  recipientId?: string;
}

/** `GetMessageInfoResponse`: a message record. */
export interface MessageRecord {
  id: string;
  uri?: string;
  extensionId?: string;
  attachments?: MessageAttachment[];
  availability?: MessageAvailability;
  conversationId?: string;
  conversation?: { id?: string; uri?: string };
  creationTime?: string;
  deliveryErrorCode?: string;
  segmentCount?: number;
  direction?: MessageDirection;
  faxPageCount?: number;
  faxResolution?: FaxResolution;
  from?: MessageParty;
  lastModifiedTime?: string;
  messageStatus?: MessageStatus;
  pgToDepartment?: boolean;
  priority?: 'Normal' | 'High';
  readStatus?: MessageReadStatus;
  smsDeliveryTime?: string;
  smsSendingAttemptsCount?: number;
  subject?: string;
  to?: MessageParty[];
  type?: MessageType | 'Text';
  vmTranscriptionStatus?: string;
  coverIndex?: number;
  coverPageText?: string;
  owner?: { name?: string; extensionType?: string; extensionId?: string };
  [key: string]: unknown;
}

/** `MessagingPagingInfo` */
export interface MessagePaging {
  page?: number;
  perPage?: number;
  pageStart?: number;
  pageEnd?: number;
  totalPages?: number;
  totalElements?: number;
}

/** `GetMessageList`: one page of the message list. */
export interface MessagePage {
  uri?: string;
  records: MessageRecord[];
  paging: MessagePaging;
  navigation: PageNavigation;
}

/** `SyncInfoMessages` */
export interface SyncInfo {
  syncType?: SyncType;
  syncToken?: string;
  syncTime?: string;
  olderRecordsExist?: boolean;
}

/** `GetMessageSyncResponse` */
export interface SyncResult {
  uri?: string;
  records: MessageRecord[];
  syncInfo: SyncInfo;
}

/** `FaxCoverPageInfo` */
export interface FaxCoverPage {
  id: string;
  name?: string;
}

/** `MessageStoreReport`: an export task. */
export interface ExportTask {
  id: string;
  uri?: string;
  status?:
    | 'Accepted'
    | 'Pending'
    | 'InProgress'
    | 'AttemptFailed'
    | 'Failed'
    | 'Completed'
    | 'Cancelled';
  accountId?: string;
  extensionId?: string;
  dateTo?: string;
  dateFrom?: string;
  startTime?: string;
  finishTime?: string;
  messageTypes?: MessageType[];
}

/** `ArchiveInfo` */
export interface ExportArchive {
  size?: number;
  uri: string;
}

/** `MessageStoreConfiguration` */
export interface MessageStoreConfiguration {
  retentionPeriod?: number;
}

/** `WebhookDeliveryModeRequest` */
export interface WebhookDeliveryModeRequest {
  transportType: 'WebHook';
  address: string;
  verificationToken?: string;
}

/** `SubscriptionInfo` */
export interface Subscription {
  id: string;
  uri: string;
  eventFilters: string[];
  disabledFilters?: Array<{ filter: string; reason: string; message?: string }>;
  expirationTime: string;
  expiresIn?: number;
  status: 'Active' | 'Blacklisted';
  creationTime: string;
  deliveryMode: { transportType: 'WebHook' | 'WebSocket'; address?: string; encryption?: boolean };
  blacklistedData?: { blacklistedAt?: string; reason?: string };
}

/** What the send operations return (`GetSMSMessageInfoResponse`, `FaxResponse`, ...). */
export type SentMessage = MessageRecord;

/** A non-empty list: an empty one is a compile-time error where ids are required. */
export type NonEmptyArray<T> = readonly [T, ...T[]];

/** `ExtensionStatusEnumFull` */
export type ExtensionStatus = 'Enabled' | 'Disabled' | 'Frozen' | 'NotActivated' | 'Unassigned';

/**
 * `AllExtensionTypesEnum`. The legacy `Department` is what RingCentral now calls a call queue;
 * unrecognised types come back as `Unknown`.
 */
export type ExtensionType =
  | 'User'
  | 'Department'
  | 'Announcement'
  | 'Voicemail'
  | 'DigitalUser'
  | 'VirtualUser'
  | 'FaxUser'
  | 'PagingOnly'
  | 'SharedLinesGroup'
  | 'DelegatedLinesGroup'
  | 'GroupCallPickup'
  | 'IvrMenu'
  | 'ApplicationExtension'
  | 'ProxyAdmin'
  | 'RoomConnector'
  | 'ParkLocation'
  | 'Limited'
  | 'Bot'
  | 'Site'
  | 'Room'
  | 'FlexibleUser'
  | 'TieLine'
  | 'Unknown';

/** `ContactInfo` (the fields this project reads). */
export interface ExtensionContact {
  firstName?: string;
  lastName?: string;
  name?: string;
  company?: string;
  jobTitle?: string;
  email?: string;
  businessPhone?: string;
  [key: string]: unknown;
}

/** `GetExtensionListInfoResponse`: one extension of the account list. */
export interface ExtensionRecord {
  id: string;
  uri?: string;
  extensionNumber?: string;
  name?: string;
  type?: ExtensionType;
  status?: ExtensionStatus;
  subType?: string;
  contact?: ExtensionContact;
  permissions?: { admin?: { enabled?: boolean }; internationalCalling?: { enabled?: boolean } };
  hidden?: boolean;
  creationTime?: string;
  [key: string]: unknown;
}

/** `GetExtensionInfoResponse`: one extension read by id (a superset of the list record). */
export interface ExtensionDetails extends ExtensionRecord {
  account?: { id?: string; uri?: string };
  /** `ExtensionStatusInfo`: returned for Disabled extensions only. */
  statusInfo?: { comment?: string; reason?: 'Voluntarily' | 'Involuntarily' };
}

/** `EnumeratedPagingModel` */
export interface EnumeratedPaging {
  perPage: number;
  page?: number;
  pageStart?: number;
  pageEnd?: number;
  totalPages?: number;
  totalElements?: number;
}

/** `PageNavigationModel` */
export interface PageNavigation {
  firstPage?: { uri?: string };
  nextPage?: { uri?: string };
  previousPage?: { uri?: string };
  lastPage?: { uri?: string };
}

/** `GetExtensionListResponse`: one page of the account's extensions. */
export interface ExtensionPage {
  uri?: string;
  records: ExtensionRecord[];
  paging?: EnumeratedPaging;
  navigation?: PageNavigation;
}

/** A feature of a phone number (`UserPhoneNumberInfo.features`). */
export type PhoneNumberFeature =
  | 'CallerId'
  | 'SmsSender'
  | 'A2PSmsSender'
  | 'MmsSender'
  | 'InternationalSmsSender'
  | 'Delegated';

/** `UserPhoneNumberInfo`: a number of an extension, with what it may be used for. */
export interface UserPhoneNumber {
  id?: string;
  uri?: string;
  phoneNumber?: string;
  primary?: boolean;
  status?: 'Normal' | 'Pending' | 'PortedIn' | 'Temporary' | 'Unknown';
  type?: 'VoiceFax' | 'VoiceOnly' | 'FaxOnly' | null;
  usageType?: string;
  paymentType?: string;
  label?: string;
  features?: PhoneNumberFeature[];
}

/** `GetExtensionPhoneNumbersResponse`: one page of an extension's phone numbers. */
export interface PhoneNumberPage {
  uri?: string;
  records: UserPhoneNumber[];
  paging: EnumeratedPaging;
  navigation: PageNavigation;
}
