import { int64 } from '../json.ts';
import type { StoredMessage } from '../mailbox-types.ts';

/**
 * Serialises one stored message as RingCentral writes it: the fields the spec types as int64
 * (`id`, `conversationId`, attachment `id`) become bare JSON numbers, written from the string
 * digits so that values beyond 2^53 stay exact.
 */
export function messageRecordJson(message: StoredMessage): string {
  return JSON.stringify({
    ...message,
    id: int64(message.id),
    ...(message.conversationId === undefined
      ? {}
      : { conversationId: int64(message.conversationId) }),
    attachments: message.attachments.map((attachment) => ({
      ...attachment,
      id: int64(attachment.id),
    })),
  });
}

/**
 * Yields `message-store.json` piece by piece: a JSON array of message records (the shape of the
 * message list's `records`), so the file is never built whole.
 */
export function* messageStoreJsonChunks(messages: Iterable<StoredMessage>): Generator<Buffer> {
  let first = true;
  yield Buffer.from('[');
  for (const message of messages) {
    yield Buffer.from(`${first ? '' : ','}${messageRecordJson(message)}`);
    first = false;
  }
  yield Buffer.from(']');
}
