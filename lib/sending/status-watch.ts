/**
 * Watching the status of sent messages until it is final, and publishing each change once as a
 * `Message Status Changed` event. RingCentral says THAT an extension's messages changed (a
 * message-store notification with `updatedCount`), never which one or to what, so a check reads
 * the watched messages back: those of an extension a notification named, and, where no
 * notification comes (no subscription, a lost delivery), each message by a bounded poll.
 *
 * The budget, with {@link STATUS_WATCH_DEFAULTS}:
 * - A check reads at most `requestsPerCheck` (2) bulk GETs of at most `idsPerRequest` (50) ids of
 *   one mailbox; RingCentral counts a bulk request as one Light request.
 * - Checks take one slot that lasts `checkSpacingMs` (20 s), whatever starts them (the schedule
 *   every minute, and any number of notifications): at most 3 checks a minute.
 * - So the watch spends at most 3 x 2 = 6 Light requests a minute, 12% of the Light group's 50,
 *   claimed through the shared rate budget like every other request of the user: it cannot
 *   exhaust the budget, and under its fair share the rest of the fleet keeps the other 88%. It
 *   reads up to 300 messages a minute; standard SMS go out at 40 a minute per user, so it keeps up.
 *   When it cannot, due messages wait for the next check (counted as `deferred`), never more reads.
 * - Per message: at most `maxPolls` (8) polls, 1, 2, 4, 8, 16, 30, 30 and 30 minutes apart
 *   (`firstPollAfterMs` doubling up to `maxPollIntervalMs`: 1, 3, 7, 15, 31, 61, 91 and 121
 *   minutes after the send); a notification can still have it read until it is `maxAgeMs` (3 h)
 *   old, then it is no longer watched.
 *
 * One event per change: the last published status is moved by a conditional write from the
 * status the check saw to the new one before the event is sent, so a repeated notification, a
 * repeated poll or two overlapping checks publish it once; a publish that fails undoes its claim
 * so the next check publishes it.
 */
import {
  type BulkResult,
  type CallOptions,
  type MessageRecord,
  type NonEmptyArray,
  nonEmpty,
} from '../ringcentral/index.ts';
import type { StatusWatchStore, WatchedMessage, WatchRead } from './ports.ts';
import {
  isFinalStatus,
  MESSAGE_STATUS_CHANGED,
  type StatusTrigger,
  statusChangedDetail,
} from './status-events.ts';

/** The bounds of the watch (the arithmetic is in this file's header). */
export const STATUS_WATCH_DEFAULTS = {
  idsPerRequest: 50,
  requestsPerCheck: 2,
  checkSpacingMs: 20_000,
  firstPollAfterMs: 60_000,
  maxPollIntervalMs: 30 * 60_000,
  maxPolls: 8,
  maxAgeMs: 3 * 60 * 60_000,
} as const;

/** The bounds of the watch. */
export type StatusWatchSettings = { -readonly [K in keyof typeof STATUS_WATCH_DEFAULTS]: number };

/** When the poll after `polls` polls is due, counted from `from` (epoch ms). */
export function nextPollAt(settings: StatusWatchSettings, polls: number, from: number): number {
  return from + Math.min(settings.firstPollAfterMs * 2 ** polls, settings.maxPollIntervalMs);
}

/** Where events go (EventBridge in a deployment, `lib/aws/events.ts`). */
export interface StatusEventPublisher {
  publish(entries: Array<{ detailType: string; detail: unknown }>): Promise<void>;
}

/** What a check works with. */
export interface StatusCheckDependencies {
  store: StatusWatchStore;
  /** Reads messages of one mailbox in one bulk GET (`messages.getMany`). */
  readMessages(
    extensionId: string,
    ids: NonEmptyArray<string>,
    options: CallOptions,
  ): Promise<BulkResult<MessageRecord>[]>;
  events: StatusEventPublisher;
  now?: () => number;
}

/** What one check did. */
export interface StatusCheckResult {
  /** Messages read from RingCentral. */
  read: number;
  /** Bulk requests sent. */
  requests: number;
  published: number;
  /** Changes another check had published already. */
  duplicates: number;
  /** Watches ended: final status, or the message is gone. */
  ended: number;
  /** Watches ended unsettled, past `maxAgeMs`. */
  expired: number;
  /** Due messages left for the next check (over the per-check budget). */
  deferred: number;
  /** Reads RingCentral failed (left for the next check). */
  failed: number;
  /** Changes claimed whose event could not be sent (the claim undone). */
  unpublished: number;
}

/** A watched message a check reads, and why. */
interface DueMessage {
  watched: WatchedMessage;
  trigger: StatusTrigger;
}

function emptyResult(): StatusCheckResult {
  return {
    read: 0,
    requests: 0,
    published: 0,
    duplicates: 0,
    ended: 0,
    expired: 0,
    deferred: 0,
    failed: 0,
    unpublished: 0,
  };
}

/**
 * The messages due now: those of an extension a notification named after their last read, then
 * those whose poll is due (oldest due first); those past the age bound are ended.
 */
async function dueMessages(
  store: StatusWatchStore,
  settings: StatusWatchSettings,
  now: number,
  result: StatusCheckResult,
): Promise<DueMessage[]> {
  const { messages, checkRequests } = await store.snapshot();
  const notified: DueMessage[] = [];
  const polled: DueMessage[] = [];
  for (const watched of messages) {
    if (now - watched.sentAt > settings.maxAgeMs) {
      await store.end(watched.messageId);
      result.expired += 1;
    } else if ((checkRequests.get(watched.extensionId) ?? 0) > watched.lastReadAt) {
      notified.push({ watched, trigger: 'notification' });
    } else if (watched.polls < settings.maxPolls && watched.nextPollAt <= now) {
      polled.push({ watched, trigger: 'poll' });
    }
  }
  polled.sort((a, b) => a.watched.nextPollAt - b.watched.nextPollAt);
  return [...notified, ...polled];
}

/** The due messages as bulk requests of one mailbox each, in order, at most `idsPerRequest` ids. */
function requestsOf(due: DueMessage[], idsPerRequest: number): DueMessage[][] {
  const byExtension = new Map<string, DueMessage[]>();
  for (const message of due) {
    const group = byExtension.get(message.watched.extensionId) ?? [];
    group.push(message);
    byExtension.set(message.watched.extensionId, group);
  }
  const requests: DueMessage[][] = [];
  for (const group of byExtension.values()) {
    for (let start = 0; start < group.length; start += idsPerRequest) {
      requests.push(group.slice(start, start + idsPerRequest));
    }
  }
  return requests;
}

/** The bookkeeping of a read now: a poll counts and schedules the next one. */
function readMark(due: DueMessage, settings: StatusWatchSettings, now: number): WatchRead {
  const { watched } = due;
  if (due.trigger !== 'poll') {
    return { polls: watched.polls, nextPollAt: watched.nextPollAt, lastReadAt: now };
  }
  const polls = watched.polls + 1;
  return { polls, nextPollAt: nextPollAt(settings, polls, now), lastReadAt: now };
}

/** Publishes the change of one message once (claim, publish, undo on failure). */
async function settleRead(
  due: DueMessage,
  record: MessageRecord,
  context: { dependencies: StatusCheckDependencies; settings: StatusWatchSettings; now: number },
  result: StatusCheckResult,
): Promise<void> {
  const { store, events } = context.dependencies;
  const { watched } = due;
  const status = record.messageStatus;
  const mark = readMark(due, context.settings, context.now);
  if (status === undefined || status === watched.lastStatus) {
    if (isFinalStatus(watched.type, status)) {
      await store.end(watched.messageId);
      result.ended += 1;
    } else {
      await store.markRead(watched.messageId, mark);
    }
    return;
  }
  const transition = { previous: watched.lastStatus, next: status };
  if (!(await store.claimTransition(watched.messageId, transition, mark))) {
    result.duplicates += 1;
    return;
  }
  const detail = statusChangedDetail(
    watched,
    { ...record, messageStatus: status },
    new Date(context.now),
    due.trigger,
  );
  try {
    await events.publish([{ detailType: MESSAGE_STATUS_CHANGED, detail }]);
  } catch {
    await store.releaseTransition(watched.messageId, transition);
    result.unpublished += 1;
    return;
  }
  result.published += 1;
  if (isFinalStatus(watched.type, status)) {
    await store.end(watched.messageId);
    result.ended += 1;
  }
}

/**
 * One check: reads the due watched messages (within the per-check budget) and publishes each
 * status change once. The caller holds the check slot ({@link StatusWatchStore.takeCheckSlot}).
 */
export async function checkStatuses(
  dependencies: StatusCheckDependencies,
  settings: StatusWatchSettings,
  options: CallOptions,
): Promise<StatusCheckResult> {
  const now = (dependencies.now ?? Date.now)();
  const result = emptyResult();
  const due = await dueMessages(dependencies.store, settings, now, result);
  const requests = requestsOf(due, settings.idsPerRequest);
  const sent = requests.slice(0, settings.requestsPerCheck);
  result.deferred = requests.slice(settings.requestsPerCheck).flat().length;
  const context = { dependencies, settings, now };
  for (const request of sent) {
    const byId = new Map(request.map((message) => [message.watched.messageId, message]));
    const ids = nonEmpty([...byId.keys()], 'ids');
    const extensionId = request[0]?.watched.extensionId ?? '~';
    result.requests += 1;
    const answers = await dependencies.readMessages(extensionId, ids, options);
    // Each message's writes are its own (conditional on its own item): they run side by side.
    await Promise.all(
      answers.map(async (answer) => {
        const message = byId.get(answer.id);
        if (!message) return;
        if (answer.ok && answer.body) {
          result.read += 1;
          await settleRead(message, answer.body, context, result);
        } else if (!answer.ok && answer.status === 404) {
          // Deleted and purged at RingCentral: there is nothing left to watch.
          await dependencies.store.end(answer.id);
          result.ended += 1;
        } else {
          result.failed += 1;
        }
      }),
    );
    // A rate limit, an expired deadline or a rejected token fails every request after it.
    if (answers.every((answer) => !answer.ok && answer.status !== 404)) break;
  }
  return result;
}
