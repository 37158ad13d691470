import { Readable } from 'node:stream';
import type { StoredMessage } from '../mailbox-types.ts';
import { messageStoreJsonChunks } from './message-store-json.ts';
import type { ZipEntrySource } from './zip-archive.ts';

/** Name of the metadata file in archive 0. */
export const MESSAGE_STORE_FILE = 'message-store.json';

/** RingCentral caps every export archive at 1 GB. */
export const DEFAULT_ARCHIVE_MAX_BYTES = 2 ** 30;

/** How to split a task's content into archives. */
export interface ArchivePlanOptions {
  openAttachment: (messageId: string, attachmentId: string) => Readable;
  /** At most this many attachment files per archive (default: no count limit). */
  attachmentsPerArchive?: number;
  /** At most this many attachment bytes per archive, unless one file alone is larger. */
  archiveMaxBytes?: number;
}

/**
 * Splits exported messages into archives: archive 0 holds `message-store.json` (the metadata),
 * archives 1..n hold the attachment files as `<messageId>/<attachmentId>_<fileName>` (or
 * `<messageId>/<attachmentId>` when the attachment has no file name), in message order.
 */
export function planArchives(
  messages: readonly StoredMessage[],
  options: ArchivePlanOptions,
): ZipEntrySource[][] {
  const perArchive = options.attachmentsPerArchive ?? Number.POSITIVE_INFINITY;
  const maxBytes = options.archiveMaxBytes ?? DEFAULT_ARCHIVE_MAX_BYTES;
  const archives: ZipEntrySource[][] = [[metadataEntry(messages)]];
  let current: ZipEntrySource[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    for (const attachment of message.attachments) {
      const full = current.length >= perArchive || currentBytes + attachment.size > maxBytes;
      if (current.length > 0 && full) {
        archives.push(current);
        current = [];
        currentBytes = 0;
      }
      current.push({
        path: attachmentPath(message.id, attachment.id, attachment.fileName),
        size: attachment.size,
        open: () => options.openAttachment(message.id, attachment.id),
      });
      currentBytes += attachment.size;
    }
  }
  if (current.length > 0) archives.push(current);
  return archives;
}

/** The path of an attachment inside its archive; the file name is made safe for a zip path. */
export function attachmentPath(messageId: string, attachmentId: string, fileName?: string): string {
  if (!fileName) return `${messageId}/${attachmentId}`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
  const safe = fileName.replace(/[\\/\u0000-\u001f]/g, '_');
  return `${messageId}/${attachmentId}_${safe}`;
}

function metadataEntry(messages: readonly StoredMessage[]): ZipEntrySource {
  let size = 0;
  for (const chunk of messageStoreJsonChunks(messages)) size += chunk.length;
  return {
    path: MESSAGE_STORE_FILE,
    size,
    open: () => Readable.from(messageStoreJsonChunks(messages), { objectMode: false }),
  };
}
