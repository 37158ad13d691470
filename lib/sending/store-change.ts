/**
 * Which mailbox a message-status invocation should check first: the webhook's `RingCentral
 * Message Store Change` event names an extension whose messages were updated; a scheduled
 * invocation names none.
 */
import * as z from '../validation/zod.ts';
import { NotificationDetailType } from '../webhooks/notification.ts';

/** The webhook's event for a message-store notification: which mailbox changed, and how. */
const storeChangeDetail = z.looseObject({
  extensionId: z.string(),
  changes: z.array(z.looseObject({ type: z.string(), updatedCount: z._default(z.number(), 0) })),
});

/** A scheduler event, or an EventBridge event (only a message-store change asks for a check). */
export const messageStatusEvent = z.looseObject({
  'detail-type': z.optional(z.string()),
  detail: z.optional(z.unknown()),
});

/** The message types the watch covers. */
const WATCHED_TYPES = new Set(['SMS', 'Fax', 'Pager']);

/** The extension whose sent messages a store-change event says were updated, if any. */
export function updatedExtension(event: z.infer<typeof messageStatusEvent>): string | undefined {
  if (event['detail-type'] !== NotificationDetailType.messageStoreChange) return undefined;
  const detail = storeChangeDetail.safeParse(event.detail);
  if (!detail.success) return undefined;
  const updated = detail.data.changes.some(
    (change) => WATCHED_TYPES.has(change.type) && change.updatedCount > 0,
  );
  return updated ? detail.data.extensionId : undefined;
}
