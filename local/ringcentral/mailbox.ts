/**
 * The emulator's message store: extensions, their messages, the Alive -> Deleted -> Purged
 * lifecycle, a per-extension change log for ISync, and where each attachment's bytes come from.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  type ContentSource,
  contentSha256,
  fixedContent,
  generatedContent,
  openContent,
} from './content.ts';
import { RcError } from './errors.ts';
import { type ExtensionStatus, type ExtensionType, hasMailbox } from './extension-types.ts';
import type {
  AttachmentType,
  MessageAvailability,
  MessageDirection,
  MessageReadStatus,
  MessageStatus,
  MessageType,
  StoredAttachment,
  StoredCaller,
  StoredMessage,
} from './mailbox-types.ts';

/** An extension of the emulated account: a user, a department, an IVR menu, ... */
export interface ExtensionInfo {
  /** Numeric id string, e.g. '101001'. */
  id: string;
  /** Short internal number, e.g. '101'; '' for an Unassigned extension, which has none. */
  extensionNumber: string;
  name: string;
  /** E.164 numbers the extension may send SMS from (none for types without a mailbox). */
  smsNumbers: string[];
  /** Those of `smsNumbers` with the `A2PSmsSender` feature (high-volume SMS); none when absent. */
  a2pSmsNumbers?: string[];
  /** E.164 number outbound faxes are sent from. */
  faxNumber: string;
  /** The spec's `AllExtensionTypesEnum`. */
  type: ExtensionType;
  /** The spec's `ExtensionStatusEnumFull`; Disabled and Frozen mailboxes still hold records. */
  status: ExtensionStatus;
}

/** A change to the account's extension list (the spec's `ExtensionListEventBody.eventType`). */
export interface DirectoryChange {
  extensionId: string;
  eventType: 'Create' | 'Update' | 'Delete';
}

/** An attachment to create; content is generated from the seed unless `text` or `bytes` is given. */
export interface AttachmentDraft {
  type: AttachmentType;
  contentType: string;
  /** Size of generated content; ignored when `text` or `bytes` is given. */
  size?: number;
  text?: string;
  bytes?: Buffer;
  fileName?: string;
  vmDuration?: number;
}

/** A message to create with {@link Mailbox.add} or {@link Mailbox.receive}. */
/** A carrier's update of an outbound message ({@link Mailbox.setMessageStatus}). */
export interface MessageStatusUpdate {
  messageStatus: MessageStatus;
  /** RingCentral's code for a failed SMS delivery, e.g. `SMS-CAR-411`. */
  deliveryErrorCode?: string;
  /** A fax recipient's failure, e.g. `LineBusy`. */
  faxErrorCode?: string;
  faxPageCount?: number;
}

export interface MessageDraft {
  type: MessageType;
  direction: MessageDirection;
  to: StoredCaller[];
  from?: StoredCaller;
  readStatus?: MessageReadStatus;
  messageStatus?: MessageStatus;
  availability?: MessageAvailability;
  /** ISO time; default now. */
  creationTime?: string;
  /** Message text (SMS, Pager) or subject; SMS and Pager text also becomes a Text attachment. */
  subject?: string;
  conversationId?: string;
  attachments?: AttachmentDraft[];
  priority?: 'Normal' | 'High';
  faxPageCount?: number;
  faxResolution?: 'High' | 'Low';
  coverIndex?: number;
  coverPageText?: string;
  vmTranscriptionStatus?: StoredMessage['vmTranscriptionStatus'];
}

/** What changed in one extension, handed to change listeners. */
export interface MailboxChange {
  extensionId: string;
  created: StoredMessage[];
  updated: StoredMessage[];
}

/** Mailbox construction options. */
export interface MailboxOptions {
  accountId: string;
  extensions: ExtensionInfo[];
  /** Seed of generated attachment bytes. */
  seed: number;
  platformUrl: () => string;
  mediaUrl: () => string;
}

/** Filter of {@link Mailbox.find}. */
export interface MessageFilter {
  availability?: MessageAvailability[];
  conversationId?: string;
  dateFrom?: number;
  dateTo?: number;
  direction?: MessageDirection[];
  messageType?: MessageType[];
  readStatus?: MessageReadStatus[];
  phoneNumber?: string;
}

/** Result of {@link Mailbox.changesSince}. */
export interface SyncChanges {
  records: StoredMessage[];
  position: number;
}

const MESSAGE_ID_BASE = 1_724_099_032_020n;
const ATTACHMENT_ID_BASE = 9_839_074_435n;
const CONVERSATION_ID_BASE = 4_611_686_018_427_387_904n;

/** The message store of one account. */
export class Mailbox {
  /** Numeric account id string. */
  readonly accountId: string;
  /** The account's extensions in id order (mutable through add/remove/setStatus). */
  private readonly directory: ExtensionInfo[];
  private readonly extensionsById = new Map<string, ExtensionInfo>();
  /** Random per instance, so sync tokens of another emulator run are rejected. */
  readonly epoch: string;
  private readonly seed: number;
  private readonly platformUrl: () => string;
  private readonly mediaUrl: () => string;
  private readonly byExtension = new Map<string, StoredMessage[]>();
  private readonly byId = new Map<string, StoredMessage>();
  private readonly contents = new Map<string, ContentSource>();
  private readonly changeLog = new Map<string, Array<{ position: number; messageId: string }>>();
  private readonly listeners: Array<(change: MailboxChange) => void> = [];
  private readonly directoryListeners: Array<(change: DirectoryChange) => void> = [];
  private nextMessage = 0n;
  private nextAttachment = 0n;
  private position = 0;

  constructor(options: MailboxOptions) {
    this.accountId = options.accountId;
    this.directory = [...options.extensions];
    for (const extension of this.directory) this.extensionsById.set(extension.id, extension);
    this.seed = options.seed;
    this.platformUrl = options.platformUrl;
    this.mediaUrl = options.mediaUrl;
    this.epoch = createHash('sha256')
      .update(`${Math.random()}:${Date.now()}`)
      .digest('hex')
      .slice(0, 12);
    for (const extension of options.extensions) this.openMailbox(extension);
  }

  /** The account's extensions today; the first is the JWT's user. */
  get extensions(): readonly ExtensionInfo[] {
    return this.directory;
  }

  /** Whether the extension exists and its type keeps a message store. */
  hasMailbox(extensionId: string): boolean {
    return this.byExtension.has(extensionId);
  }

  /** Adds an extension (empty mailbox if its type has one) and notifies directory listeners. */
  addExtension(extension: ExtensionInfo): ExtensionInfo {
    if (this.extension(extension.id)) {
      throw new RcError(400, 'CMN-101', `Extension [${extension.id}] already exists`);
    }
    this.directory.push(extension);
    this.extensionsById.set(extension.id, extension);
    this.directory.sort((a, b) => compareIds(a.id, b.id));
    this.openMailbox(extension);
    this.emitDirectory({ extensionId: extension.id, eventType: 'Create' });
    return extension;
  }

  /**
   * Deletes an extension as an admin deleting it would: it leaves the list and its mailbox
   * (messages and attachment bytes) is gone, so its message store answers 404.
   */
  removeExtension(extensionId: string): void {
    const index = this.directory.findIndex((extension) => extension.id === extensionId);
    if (index < 0) throw new RcError(404, 'CMN-102', `Extension [${extensionId}] is not found`);
    this.directory.splice(index, 1);
    this.extensionsById.delete(extensionId);
    for (const message of this.byExtension.get(extensionId) ?? []) {
      this.erase(message);
      this.byId.delete(message.id);
    }
    this.byExtension.delete(extensionId);
    this.changeLog.delete(extensionId);
    this.emitDirectory({ extensionId, eventType: 'Delete' });
  }

  /** Changes an extension's status (e.g. disables a user); its mailbox is kept. */
  setExtensionStatus(extensionId: string, status: ExtensionStatus): ExtensionInfo {
    const extension = this.extension(extensionId);
    if (!extension) throw new RcError(404, 'CMN-102', `Extension [${extensionId}] is not found`);
    extension.status = status;
    this.emitDirectory({ extensionId, eventType: 'Update' });
    return extension;
  }

  /** Registers a listener called after an extension is added, changed or removed. */
  onDirectoryChange(listener: (change: DirectoryChange) => void): void {
    this.directoryListeners.push(listener);
  }

  /** The extension with this id, if any. */
  extension(extensionId: string): ExtensionInfo | undefined {
    return this.extensionsById.get(extensionId);
  }

  /** The extension with this short number, if any. */
  extensionByNumber(extensionNumber: string): ExtensionInfo | undefined {
    return this.extensions.find((extension) => extension.extensionNumber === extensionNumber);
  }

  /**
   * Messages and attachments created from now on take ordinals from `ordinal` on (never lower than
   * what is already handed out). Started from the start time, ids never repeat across runs: a
   * persisted archive keyed by message id is not overwritten by a later run's new message.
   */
  continueIdsFrom(ordinal: bigint): void {
    if (ordinal > this.nextMessage) this.nextMessage = ordinal;
    if (ordinal > this.nextAttachment) this.nextAttachment = ordinal;
  }

  /** Registers a listener called after messages are created or changed. */
  onChange(listener: (change: MailboxChange) => void): void {
    this.listeners.push(listener);
  }

  /** Creates a message without notifying listeners (seeding). */
  add(extensionId: string, draft: MessageDraft): StoredMessage {
    const list = this.byExtension.get(extensionId);
    if (!list) throw new RcError(404, 'CMN-102', `Extension [${extensionId}] is not found`);
    const id = (MESSAGE_ID_BASE + this.nextMessage++ * 7n).toString();
    const now = new Date().toISOString();
    const creationTime = draft.creationTime ?? now;
    const messageUri = `${this.platformUrl()}/restapi/v1.0/account/${this.accountId}/extension/${extensionId}/message-store/${id}`;
    const attachmentDrafts = [...(draft.attachments ?? [])];
    if ((draft.type === 'SMS' || draft.type === 'Pager') && draft.subject !== undefined) {
      attachmentDrafts.unshift({ type: 'Text', contentType: 'text/plain', text: draft.subject });
    }
    const attachments = attachmentDrafts.map((attachment) =>
      this.createAttachment(extensionId, id, attachment),
    );
    const message: StoredMessage = {
      id,
      uri: messageUri,
      extensionId,
      type: draft.type,
      direction: draft.direction,
      availability: draft.availability ?? 'Alive',
      messageStatus: draft.messageStatus ?? (draft.direction === 'Inbound' ? 'Received' : 'Sent'),
      readStatus: draft.readStatus ?? (draft.direction === 'Inbound' ? 'Unread' : 'Read'),
      creationTime,
      lastModifiedTime: creationTime,
      to: draft.to,
      attachments,
    };
    if (draft.from) message.from = draft.from;
    if (draft.subject !== undefined) message.subject = draft.subject;
    if (draft.type === 'SMS' || draft.type === 'Pager') {
      const conversationId = draft.conversationId ?? this.conversationIdFor(draft);
      message.conversationId = conversationId;
      message.conversation = {
        id: conversationId,
        uri: `${this.platformUrl()}/restapi/v1.0/conversation/${conversationId}`,
      };
    }
    if (draft.priority) message.priority = draft.priority;
    if (draft.type === 'Fax') {
      message.faxPageCount = draft.faxPageCount ?? 1;
      message.faxResolution = draft.faxResolution ?? 'High';
      if (draft.coverIndex !== undefined) message.coverIndex = draft.coverIndex;
      if (draft.coverPageText !== undefined) message.coverPageText = draft.coverPageText;
    }
    if (draft.type === 'SMS' && draft.direction === 'Outbound') {
      message.smsSendingAttemptsCount = 1;
      message.segmentCount = Math.max(1, Math.ceil((draft.subject ?? '').length / 160));
    }
    if (draft.type === 'VoiceMail') {
      message.vmTranscriptionStatus = draft.vmTranscriptionStatus ?? 'NotAvailable';
    }
    if (message.availability === 'Purged') this.erase(message);
    this.byId.set(id, message);
    insertNewestFirst(list, message);
    this.log(extensionId, id);
    return message;
  }

  /** Creates messages as arriving now (or at their `creationTime`) and notifies listeners. */
  receive(
    extensionId: string,
    ...drafts: Array<Omit<MessageDraft, 'direction'> & { direction?: MessageDirection }>
  ): StoredMessage[] {
    const created = drafts.map((draft) =>
      this.add(extensionId, { direction: 'Inbound', ...draft }),
    );
    this.emit({ extensionId, created, updated: [] });
    return created;
  }

  /** Creates an outbound message (a send) and notifies listeners. */
  send(extensionId: string, draft: MessageDraft): StoredMessage {
    const message = this.add(extensionId, draft);
    this.emit({ extensionId, created: [message], updated: [] });
    return message;
  }

  /** The message of this extension with this id, if any. */
  get(extensionId: string, messageId: string): StoredMessage | undefined {
    const message = this.byId.get(messageId);
    return message?.extensionId === extensionId ? message : undefined;
  }

  /** Every message of the extension, newest first. */
  messages(extensionId: string): readonly StoredMessage[] {
    return this.byExtension.get(extensionId) ?? [];
  }

  /** Every message of the account (all extensions). */
  *all(): Iterable<StoredMessage> {
    for (const list of this.byExtension.values()) yield* list;
  }

  /** Messages of the extension matching the filter, newest first. */
  find(extensionId: string, filter: MessageFilter): StoredMessage[] {
    const digits = filter.phoneNumber?.replace(/\D/g, '');
    return this.messages(extensionId).filter((message) => {
      const time = Date.parse(message.creationTime);
      if (filter.dateFrom !== undefined && time < filter.dateFrom) return false;
      if (filter.dateTo !== undefined && time >= filter.dateTo) return false;
      if (filter.availability && !filter.availability.includes(message.availability)) return false;
      if (filter.direction && !filter.direction.includes(message.direction)) return false;
      if (filter.messageType && !filter.messageType.includes(message.type)) return false;
      if (filter.readStatus && !filter.readStatus.includes(message.readStatus)) return false;
      if (filter.conversationId && message.conversationId !== filter.conversationId) return false;
      if (digits) {
        const parties = [message.from, ...message.to];
        if (!parties.some((party) => party?.phoneNumber?.replace(/\D/g, '') === digits)) {
          return false;
        }
      }
      return true;
    });
  }

  /**
   * Changes read status and/or availability. Restoring (availability Alive) works only from
   * Deleted; a Purged message cannot come back.
   */
  update(
    extensionId: string,
    messageId: string,
    change: { readStatus?: MessageReadStatus; availability?: MessageAvailability },
  ): StoredMessage {
    const message = this.require(extensionId, messageId);
    if (change.availability !== undefined && change.availability !== message.availability) {
      if (change.availability !== 'Alive' || message.availability !== 'Deleted') {
        throw new RcError(
          400,
          'MSG-343',
          `Cannot change availability from [${message.availability}] to [${change.availability}]`,
          { parameterName: 'availability' },
        );
      }
      message.availability = 'Alive';
    }
    if (change.readStatus !== undefined) message.readStatus = change.readStatus;
    this.touch(message);
    this.emit({ extensionId, created: [], updated: [message] });
    return message;
  }

  /** Sets the delivery status of an outbound message (and of its recipients), as a carrier update. */
  settle(extensionId: string, messageId: string, status: MessageStatus): void {
    if (!this.get(extensionId, messageId)) return;
    this.setMessageStatus(messageId, { messageStatus: status });
  }

  /**
   * A carrier's (or fax machine's) update of an outbound message: its status and its recipients',
   * the delivery time of a delivered SMS, the error code of a failed one, a fax's page count and
   * its recipients' `faxErrorCode`. Published like every change (updatedCount). Undefined when
   * there is no such message.
   */
  setMessageStatus(messageId: string, update: MessageStatusUpdate): StoredMessage | undefined {
    const message = this.byId.get(messageId);
    if (!message) return undefined;
    message.messageStatus = update.messageStatus;
    for (const party of message.to) {
      if (party.messageStatus) party.messageStatus = update.messageStatus;
      if (update.faxErrorCode !== undefined) party.faxErrorCode = update.faxErrorCode;
    }
    if (message.type === 'SMS' && update.messageStatus === 'Delivered') {
      message.smsDeliveryTime = new Date().toISOString();
    }
    if (update.deliveryErrorCode !== undefined) {
      message.deliveryErrorCode = update.deliveryErrorCode;
    }
    if (update.faxPageCount !== undefined) message.faxPageCount = update.faxPageCount;
    this.touch(message);
    this.emit({ extensionId: message.extensionId, created: [], updated: [message] });
    return message;
  }

  /** Deletes one message: Alive -> Deleted, Deleted -> Purged, or straight to Purged. */
  delete(extensionId: string, messageId: string, purge: boolean): StoredMessage {
    const message = this.require(extensionId, messageId);
    this.deleteMessage(message, purge);
    this.emit({ extensionId, created: [], updated: [message] });
    return message;
  }

  /** The current end of the extension's change log. */
  currentPosition(): number {
    return this.position;
  }

  /** Messages changed after `position` in this extension, newest change first, each once. */
  changesSince(extensionId: string, position: number): SyncChanges {
    const log = this.changeLog.get(extensionId) ?? [];
    const seen = new Set<string>();
    const records: StoredMessage[] = [];
    for (let index = log.length - 1; index >= 0; index--) {
      const entry = log[index];
      if (!entry || entry.position <= position) break;
      if (seen.has(entry.messageId)) continue;
      seen.add(entry.messageId);
      const message = this.byId.get(entry.messageId);
      if (message) records.push(message);
    }
    return { records, position: this.position };
  }

  /** Where an attachment's bytes come from, if it exists and is not erased. */
  content(attachmentId: string): ContentSource | undefined {
    return this.contents.get(attachmentId);
  }

  /** Streams an attachment of a message (for the export archives). */
  openAttachment(messageId: string, attachmentId: string): Readable {
    const source = this.contents.get(attachmentId);
    const message = this.byId.get(messageId);
    if (!source || !message?.attachments.some((attachment) => attachment.id === attachmentId)) {
      throw new RcError(404, 'CMN-102', `Attachment [${attachmentId}] is not found`);
    }
    return openContent(source);
  }

  /** sha256 (hex) of an attachment's whole content, computed by streaming the generator. */
  attachmentSha256(attachmentId: string): Promise<string> {
    const source = this.contents.get(attachmentId);
    if (!source) return Promise.reject(new Error(`No attachment ${attachmentId}`));
    return contentSha256(source);
  }

  private require(extensionId: string, messageId: string): StoredMessage {
    const message = this.get(extensionId, messageId);
    if (!message) {
      throw new RcError(404, 'CMN-102', `Resource for parameter [messageId] is not found`, {
        parameterName: 'messageId',
      });
    }
    return message;
  }

  private deleteMessage(message: StoredMessage, purge: boolean): void {
    if (purge || message.availability === 'Deleted') {
      message.availability = 'Purged';
      this.erase(message);
    } else if (message.availability === 'Alive') {
      message.availability = 'Deleted';
    }
    this.touch(message);
  }

  private erase(message: StoredMessage): void {
    for (const attachment of message.attachments) this.contents.delete(attachment.id);
    message.attachments = [];
  }

  private touch(message: StoredMessage): void {
    message.lastModifiedTime = new Date().toISOString();
    this.log(message.extensionId, message.id);
  }

  private log(extensionId: string, messageId: string): void {
    this.position += 1;
    this.changeLog.get(extensionId)?.push({ position: this.position, messageId });
  }

  private openMailbox(extension: ExtensionInfo): void {
    if (!hasMailbox(extension.type)) return;
    this.byExtension.set(extension.id, []);
    this.changeLog.set(extension.id, []);
  }

  private emitDirectory(change: DirectoryChange): void {
    for (const listener of this.directoryListeners) listener(change);
  }

  private emit(change: MailboxChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private createAttachment(
    extensionId: string,
    messageId: string,
    draft: AttachmentDraft,
  ): StoredAttachment {
    const id = (ATTACHMENT_ID_BASE + this.nextAttachment++ * 3n).toString();
    let source: ContentSource;
    if (draft.text !== undefined) source = fixedContent(Buffer.from(draft.text), draft.contentType);
    else if (draft.bytes) source = fixedContent(draft.bytes, draft.contentType);
    else source = generatedContent(this.seed, id, draft.contentType, draft.size ?? 0);
    this.contents.set(id, source);
    const attachment: StoredAttachment = {
      id,
      uri: `${this.mediaUrl()}/restapi/v1.0/account/${this.accountId}/extension/${extensionId}/message-store/${messageId}/content/${id}`,
      type: draft.type,
      contentType: draft.contentType,
      size: source.size,
    };
    if (draft.fileName !== undefined) attachment.fileName = draft.fileName;
    if (draft.vmDuration !== undefined) attachment.vmDuration = draft.vmDuration;
    return attachment;
  }

  /** Same parties, same conversation: a 19-digit id (beyond 2^53) derived from the parties. */
  private conversationIdFor(draft: MessageDraft): string {
    const parties = [draft.from, ...draft.to]
      .map((party) => party?.phoneNumber ?? party?.extensionNumber ?? '')
      .sort()
      .join(',');
    const digest = createHash('sha256').update(`${this.accountId}:${parties}`).digest();
    const offset = digest.readBigUInt64BE(0) % 1_000_000_000_000_000_000n;
    return ((CONVERSATION_ID_BASE + offset) % 9_000_000_000_000_000_000n)
      .toString()
      .padStart(19, '4');
  }
}

/** Orders decimal id strings numerically without turning them into numbers. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function insertNewestFirst(list: StoredMessage[], message: StoredMessage): void {
  const time = Date.parse(message.creationTime);
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const other = list[middle];
    if (other && Date.parse(other.creationTime) >= time) low = middle + 1;
    else high = middle;
  }
  list.splice(low, 0, message);
}
