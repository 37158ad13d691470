/**
 * Lays out an archive the way the archive contract describes it (attachments first; message.json
 * last, with each attachment's size, sha256 and entity tag), through the ObjectStore port and the
 * layout helpers, so purge can be tested without the archiver. Also builds message records for
 * unit tests.
 */
import type { Readable } from 'node:stream';
import { attachmentKey, messageKey } from '../../../lib/archive/layout.ts';
import type { ArchivedAttachment } from '../../../lib/archive/manifest.ts';
import {
  buildManifest,
  DEFAULT_CONTENT_TYPE,
  serializeManifest,
} from '../../../lib/archive/manifest.ts';
import type { ObjectStore } from '../../../lib/archive/ports.ts';
import type { MessageRecord } from '../../../lib/ringcentral/types.ts';

/** Where one archived message's objects are. */
export interface ArchivedMessage {
  id: string;
  manifestKey: string;
  attachmentKeys: string[];
}

/** Archives one record: every attachment, then message.json. */
export async function archiveRecord(
  store: ObjectStore,
  record: MessageRecord,
  open: (attachmentId: string) => Readable | Uint8Array | string,
): Promise<ArchivedMessage> {
  const attachments: ArchivedAttachment[] = [];
  for (const attachment of record.attachments ?? []) {
    const key = attachmentKey(record, attachment);
    const contentType = attachment.contentType ?? DEFAULT_CONTENT_TYPE;
    const written = await store.put(key, open(attachment.id), {
      contentType,
      ...(attachment.size === undefined ? {} : { size: attachment.size }),
    });
    const entry: ArchivedAttachment = {
      id: attachment.id,
      key,
      size: written.size,
      sha256: written.sha256,
      contentType,
    };
    if (written.etag !== undefined) entry.etag = written.etag;
    if (attachment.fileName !== undefined) entry.fileName = attachment.fileName;
    attachments.push(entry);
  }
  const manifestKey = messageKey(record);
  await store.put(manifestKey, serializeManifest(buildManifest({ record, attachments })), {
    contentType: 'application/json',
  });
  return { id: record.id, manifestKey, attachmentKeys: attachments.map((entry) => entry.key) };
}

/** Archives records one after another. */
export async function archiveRecords(
  store: ObjectStore,
  records: readonly MessageRecord[],
  open: (record: MessageRecord, attachmentId: string) => Readable | Uint8Array | string,
): Promise<Map<string, ArchivedMessage>> {
  const archived = new Map<string, ArchivedMessage>();
  for (const record of records) {
    archived.set(
      record.id,
      await archiveRecord(store, record, (attachmentId) => open(record, attachmentId)),
    );
  }
  return archived;
}

/** Deterministic attachment bytes for unit tests. */
export function attachmentBytes(attachmentId: string, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index += 1) {
    bytes[index] = (index * 31 + attachmentId.length * 7 + Number(attachmentId.slice(-2))) & 0xff;
  }
  return bytes;
}

const ACCOUNT = '400131880008';

/** A record shaped like RingCentral's, ids as strings, with `attachmentSizes` attachments. */
export function messageRecord(init: {
  id: string;
  extensionId?: string;
  type?: MessageRecord['type'];
  creationTime: string;
  lastModifiedTime?: string;
  attachmentSizes?: number[];
}): MessageRecord {
  const extensionId = init.extensionId ?? '101001';
  const uri = `https://platform.example/restapi/v1.0/account/${ACCOUNT}/extension/${extensionId}/message-store/${init.id}`;
  return {
    id: init.id,
    uri,
    extensionId,
    type: init.type ?? 'Fax',
    availability: 'Alive',
    direction: 'Inbound',
    creationTime: init.creationTime,
    lastModifiedTime: init.lastModifiedTime ?? init.creationTime,
    conversationId: '9223372036854775807',
    attachments: (init.attachmentSizes ?? [100]).map((size, index) => ({
      id: `${init.id}${String(index + 10)}`,
      uri: `${uri}/content/${init.id}${String(index + 10)}`,
      type: 'RenderedDocument',
      contentType: 'application/pdf',
      size,
    })),
  };
}
