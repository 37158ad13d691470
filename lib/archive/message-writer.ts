/**
 * The archive's write path for one message, shared by the archiver (attachments downloaded one by
 * one) and the backfill (attachments unpacked from export archives), so both write the same
 * objects for the same message: each attachment under its deterministic key, streamed and hashed
 * on the way, then the locator (first time only, in the state table), then message.json last,
 * which records each attachment's size, sha256 and entity tag.
 */
import type { Readable } from 'node:stream';
import type { MessageAttachment, MessageRecord } from '../ringcentral/types.ts';
import { attachmentKey, type MessageLocation, messageKey, messageLocation } from './layout.ts';
import {
  type ArchivedAttachment,
  type ArchiveManifest,
  DEFAULT_CONTENT_TYPE,
  parseManifest,
  serializeManifest,
} from './manifest.ts';
import type { LocatorStore, MessageLocator, ObjectStore } from './ports.ts';

/** A message.json as stored: its text, and the manifest when it parses. */
export interface StoredManifest {
  text: string;
  /** `undefined` when the stored text is damaged (it is then rewritten, never trusted). */
  manifest: ArchiveManifest | undefined;
}

/** Points at which tests may observe (or kill) a run; production passes none. */
export interface MessageWriteObserver {
  /** An attachment object is stored (before its message.json). */
  attachmentStored?(info: { messageId: string; key: string; size: number }): void | Promise<void>;
  /** A message.json was written. */
  messageStored?(info: { messageId: string; key: string }): void | Promise<void>;
}

/** The write path of one message on an object store. */
export interface MessageWriter {
  /** The stored message.json of `key`, or `undefined` when there is none. */
  readManifest(key: string): Promise<StoredManifest | undefined>;
  /**
   * The manifest entry of an attachment that is already stored whole: the entry of an earlier
   * manifest (`known`), or an object at the key with the declared size (puts are atomic, so an
   * object there is whole) whose sha256 comes from S3's checksum or legacy metadata, else from
   * reading it back (a run stopped between the attachment and its message.json).
   */
  findStoredAttachment(
    location: MessageLocation,
    attachment: MessageAttachment,
    known?: ArchivedAttachment,
    options?: { signal?: AbortSignal },
  ): Promise<ArchivedAttachment | undefined>;
  /**
   * Streams one attachment's bytes to its key, hashing them on the way; rejects (the store keeps
   * no partial object) when the body is not exactly `expectedSize` bytes.
   */
  storeAttachment(
    location: MessageLocation,
    attachment: MessageAttachment,
    body: Readable,
    options: { expectedSize?: number; signal?: AbortSignal },
  ): Promise<ArchivedAttachment>;
  /**
   * Writes the locators of these messages, in as few requests as the store allows. They may go
   * up before the attachments (they name deterministic keys): a locator whose message.json is
   * not there yet reads as "not archived".
   */
  writeLocators(
    locations: readonly MessageLocation[],
    options: { signal?: AbortSignal },
  ): Promise<void>;
  /**
   * Writes the locator (when the message had no message.json yet and `locatorWritten` is not
   * set) and then message.json, unless the stored text is identical. Returns whether
   * message.json was written.
   */
  commitManifest(
    manifest: ArchiveManifest,
    previous: StoredManifest | undefined,
    options: { signal?: AbortSignal; locatorWritten?: boolean },
  ): Promise<boolean>;
}

/** The manifest entry of an attachment stored under `key` with this size, sha256 and etag. */
export function archivedAttachmentEntry(
  key: string,
  attachment: MessageAttachment,
  size: number,
  sha256: string,
  etag?: string,
): ArchivedAttachment {
  return {
    id: attachment.id,
    key,
    size,
    sha256,
    contentType: attachment.contentType ?? DEFAULT_CONTENT_TYPE,
    ...(attachment.fileName !== undefined ? { fileName: attachment.fileName } : {}),
    ...(etag !== undefined ? { etag } : {}),
  };
}

/** The locator of a message at `location`. */
export function locatorOf(location: MessageLocation): MessageLocator {
  return {
    accountId: location.accountId,
    extensionId: location.extensionId,
    messageId: location.messageId,
    key: messageKey(location),
  };
}

function base64ToHex(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}

/** Creates the write path on an object store. */
export function createMessageWriter(
  objects: ObjectStore,
  locators: LocatorStore,
  observer?: MessageWriteObserver,
): MessageWriter {
  const sameSize = (attachment: MessageAttachment, size: number) =>
    attachment.size === undefined || attachment.size === size;

  return {
    async readManifest(key) {
      const text = await objects.getText(key);
      if (text === undefined) return undefined;
      try {
        return { text, manifest: parseManifest(text) };
      } catch {
        return { text, manifest: undefined };
      }
    },

    async findStoredAttachment(location, attachment, known, options = {}) {
      const key = attachmentKey(location, attachment);
      if (known && known.key === key && sameSize(attachment, known.size)) {
        return archivedAttachmentEntry(key, attachment, known.size, known.sha256, known.etag);
      }
      // Without a declared size an object left by a failed put could not be told from a whole one.
      if (attachment.size === undefined) return undefined;
      const existing = await objects.head(key);
      if (!existing || existing.size !== attachment.size) return undefined;
      const sha256 =
        existing.sha256 ??
        (existing.checksumSha256 !== undefined ? base64ToHex(existing.checksumSha256) : undefined);
      if (sha256 !== undefined) {
        return archivedAttachmentEntry(key, attachment, existing.size, sha256, existing.etag);
      }
      // No manifest and no checksum: the sha256 message.json records is that of the stored bytes.
      const read = await objects.digest(key, options.signal ? { signal: options.signal } : {});
      if (!read || read.size !== attachment.size) return undefined;
      return archivedAttachmentEntry(key, attachment, read.size, read.sha256, read.etag);
    },

    async storeAttachment(location, attachment, body, options) {
      const key = attachmentKey(location, attachment);
      const stored = await objects.put(key, body, {
        contentType: attachment.contentType ?? DEFAULT_CONTENT_TYPE,
        ...(options.expectedSize !== undefined ? { size: options.expectedSize } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      await observer?.attachmentStored?.({
        messageId: location.messageId,
        key,
        size: stored.size,
      });
      return archivedAttachmentEntry(key, attachment, stored.size, stored.sha256, stored.etag);
    },

    async writeLocators(locations, options) {
      await locators.put(
        locations.map(locatorOf),
        options.signal ? { signal: options.signal } : {},
      );
    },

    async commitManifest(manifest, previous, options) {
      const record: MessageRecord = manifest.message;
      const location = messageLocation(record);
      const key = messageKey(location);
      const text = serializeManifest(manifest);
      if (text === previous?.text) return false;
      const signal = options.signal ? { signal: options.signal } : {};
      if (!previous && !options.locatorWritten) await locators.put([locatorOf(location)], signal);
      await objects.put(key, text, { contentType: 'application/json', ...signal });
      await observer?.messageStored?.({ messageId: record.id, key });
      return true;
    },
  };
}
