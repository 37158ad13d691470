/** Stored records to their JSON wire shape: int64 ids as bare numbers, everything else as kept. */
import { int64 } from './json.ts';
import type { StoredMessage } from './mailbox-types.ts';

/** A message as the spec's GetMessageInfoResponse, ready for `stringifyJson`. */
export function messageToWire(message: StoredMessage): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...message, id: int64(message.id) };
  wire.attachments = message.attachments.map((attachment) => ({
    ...attachment,
    id: int64(attachment.id),
  }));
  if (message.conversationId !== undefined) wire.conversationId = int64(message.conversationId);
  return wire;
}

/** A deleted or purged message in an ISync answer: only id and availability. */
export function reducedToWire(message: StoredMessage): Record<string, unknown> {
  return { id: int64(message.id), availability: message.availability };
}
