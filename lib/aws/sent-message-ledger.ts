/**
 * The sending room's ledger on the state table: per message id, under `pk = sent#<messageId>`,
 * `sk = sender` (who sent it, kept as long as callers may ask, {@link SENDER_TTL_SECONDS}) and
 * `sk = status` (the last status read, kept a few seconds); a message whose status is not final
 * is also put on the status watch (lib/aws/status-watch-store.ts).
 */
import type { MessageStatusView } from '../sending/message-status.ts';
import type { SentMessageEntry, SentMessageLedger } from '../sending/ports.ts';
import type { StateTable } from './state-table.ts';
import { startStatusWatch } from './status-watch-store.ts';

/** How long a sender is remembered: callers may ask for a message's status for 30 days. */
export const SENDER_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Every ledger partition starts with this (`sent#<messageId>`). */
export const SENT_PARTITION_PREFIX = 'sent#';

const partition = (messageId: string): string => `${SENT_PARTITION_PREFIX}${messageId}`;

/** Creates the ledger on the state table. */
export function createSentMessageLedger(
  table: Pick<StateTable, 'get' | 'put' | 'updateFields'>,
  now: () => number = Date.now,
): SentMessageLedger {
  return {
    recordSender: async (entry) => {
      // Two items that need nothing of each other, written at once: the send waits for one
      // round trip, not two. A lost race means the id is recorded already: RingCentral gives
      // each message one id.
      const [sender, watch] = await Promise.allSettled([
        table.put(partition(entry.messageId), 'sender', entry, 0, {
          ttlSeconds: SENDER_TTL_SECONDS,
        }),
        startStatusWatch(table, entry, now()),
      ]);
      if (sender.status === 'rejected') throw sender.reason;
      if (watch.status === 'rejected') throw watch.reason;
    },
    senderOf: async (messageId) => {
      const stored = await table.get<SentMessageEntry>(partition(messageId), 'sender');
      if (!stored) return undefined;
      return {
        messageId: String(stored.messageId),
        caller: stored.caller,
        type: stored.type,
        ...(stored.correlationId === undefined ? {} : { correlationId: stored.correlationId }),
      };
    },
    cachedStatus: async (messageId) => {
      const stored = await table.get<MessageStatusView>(partition(messageId), 'status');
      if (!stored) return undefined;
      const { version: _version, ...status } = stored;
      return status;
    },
    cacheStatus: async (messageId, status, ttlSeconds) => {
      // Expired or absent: version 0 may write. A lost race means another reader cached it now.
      await table.put(partition(messageId), 'status', status, 0, { ttlSeconds });
    },
  };
}
