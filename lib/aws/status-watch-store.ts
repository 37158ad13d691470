/**
 * The status watch on the state table, one partition (`pk = message-status-watch`): per watched
 * message `sk = message#<id>` (flat attributes: who sent it, its correlation id, the last
 * published status, the poll bookkeeping), per extension a notification named
 * `sk = check#<extensionId>` (`requestedAt`), and the check slot as a lease
 * (`pk = lease#message-status-check`). Items expire with the watch's age bound.
 */
import type { SentMessageEntry, StatusWatchStore, WatchedMessage } from '../sending/ports.ts';
import { isFinalStatus } from '../sending/status-events.ts';
import { nextPollAt, STATUS_WATCH_DEFAULTS } from '../sending/status-watch.ts';
import type { StateItem, StateTable } from './state-table.ts';

/** The partition of the watch. */
export const STATUS_WATCH_PARTITION = 'message-status-watch';
/** The lease that spaces checks. */
export const STATUS_CHECK_LEASE = 'message-status-check';

const messageKey = (messageId: string) => `message#${messageId}`;
const checkKey = (extensionId: string) => `check#${extensionId}`;

/** Epoch seconds an item of the watch may be dropped: an hour after the age bound. */
function expiresAt(fromMs: number, maxAgeMs: number): number {
  return Math.ceil((fromMs + maxAgeMs) / 1000) + 3600;
}

/**
 * Starts watching a message just sent, unless its status is already final; a retried record of
 * the same id leaves the first one. `now` is the send's time when the entry has none.
 */
export async function startStatusWatch(
  table: Pick<StateTable, 'updateFields'>,
  entry: SentMessageEntry,
  now: number,
  maxAgeMs: number = STATUS_WATCH_DEFAULTS.maxAgeMs,
): Promise<void> {
  const status = entry.messageStatus ?? 'Queued';
  if (isFinalStatus(entry.type, status)) return;
  const sentAt = entry.sentAt === undefined ? now : Date.parse(entry.sentAt);
  await table.updateFields(STATUS_WATCH_PARTITION, messageKey(entry.messageId), {
    set: {
      messageId: entry.messageId,
      extensionId: entry.extensionId ?? '~',
      type: entry.type,
      caller: entry.caller,
      correlationId: entry.correlationId,
      sentAt,
      lastStatus: status,
      polls: 0,
      nextPollAt: nextPollAt(STATUS_WATCH_DEFAULTS, 0, sentAt),
      lastReadAt: 0,
      expiresAt: expiresAt(sentAt, maxAgeMs),
    },
    condition: { expression: 'attribute_not_exists(pk)' },
  });
}

/** A watch item as stored, or undefined for the partition's other items. */
function watchedOf(item: StateItem): WatchedMessage | undefined {
  if (typeof item.sk !== 'string' || !item.sk.startsWith('message#')) return undefined;
  return {
    messageId: String(item.messageId),
    extensionId: String(item.extensionId),
    type: item.type as WatchedMessage['type'],
    caller: String(item.caller),
    ...(typeof item.correlationId === 'string' ? { correlationId: item.correlationId } : {}),
    sentAt: Number(item.sentAt),
    lastStatus: String(item.lastStatus),
    polls: Number(item.polls ?? 0),
    nextPollAt: Number(item.nextPollAt ?? 0),
    lastReadAt: Number(item.lastReadAt ?? 0),
  };
}

/** Creates the store on the state table. */
export function createStatusWatchStore(
  table: Pick<StateTable, 'queryPages' | 'updateFields' | 'delete' | 'acquireLease'>,
  options: { maxAgeMs?: number } = {},
): StatusWatchStore {
  const maxAgeMs = options.maxAgeMs ?? STATUS_WATCH_DEFAULTS.maxAgeMs;
  const statusIs = (status: string) => ({
    expression: '#lastStatus = :expected',
    names: { '#lastStatus': 'lastStatus' },
    values: { ':expected': status },
  });
  return {
    snapshot: async () => {
      const messages: WatchedMessage[] = [];
      const checkRequests = new Map<string, number>();
      for await (const page of table.queryPages(STATUS_WATCH_PARTITION)) {
        for (const item of page) {
          const watched = watchedOf(item);
          if (watched) messages.push(watched);
          else if (typeof item.sk === 'string' && item.sk.startsWith('check#')) {
            checkRequests.set(item.sk.slice('check#'.length), Number(item.requestedAt ?? 0));
          }
        }
      }
      return { messages, checkRequests };
    },
    requestCheck: async (extensionId, at) => {
      // Keeps the latest: a delayed delivery of an older notification asks for nothing new.
      await table.updateFields(STATUS_WATCH_PARTITION, checkKey(extensionId), {
        set: { requestedAt: at, expiresAt: expiresAt(at, maxAgeMs) },
        condition: {
          expression: 'attribute_not_exists(requestedAt) OR requestedAt < :at',
          values: { ':at': at },
        },
      });
    },
    takeCheckSlot: (owner, spacingMs) => table.acquireLease(STATUS_CHECK_LEASE, owner, spacingMs),
    claimTransition: (messageId, transition, read) =>
      table.updateFields(STATUS_WATCH_PARTITION, messageKey(messageId), {
        set: { lastStatus: transition.next, ...read },
        condition: statusIs(transition.previous),
      }),
    releaseTransition: async (messageId, transition) => {
      await table.updateFields(STATUS_WATCH_PARTITION, messageKey(messageId), {
        set: { lastStatus: transition.previous },
        condition: statusIs(transition.next),
      });
    },
    markRead: async (messageId, read) => {
      await table.updateFields(STATUS_WATCH_PARTITION, messageKey(messageId), {
        set: { ...read },
        condition: { expression: 'attribute_exists(pk)' },
      });
    },
    end: (messageId) => table.delete(STATUS_WATCH_PARTITION, messageKey(messageId)),
  };
}
