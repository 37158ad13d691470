/**
 * The shared rate budget's state and rules, as pure functions over one record per user and
 * group, so every store (DynamoDB, memory) applies the same rules and tests need no store.
 *
 * RingCentral counts a request in a sliding log from its arrival `a` until `a + W`. The budget
 * is a ring of `limit` slots; each slot remembers until when its last request may still count
 * (`busyUntil = sendAt + hold + W`, where `hold` bounds how long after `sendAt` the request
 * reaches RingCentral). A slot is granted again only from its `busyUntil`, so two requests of
 * one slot arrive at least `W` apart, and any window holds at most one request per slot: at
 * most `limit`. This holds for any order of claims and sends, which is why a store can update
 * slots with per-slot conditions instead of serialising every claim (a fixed-window counter
 * would not: it lets `limit` requests end one window and `limit` more start the next).
 */
import type { GroupLimit } from './rate-limit-groups.ts';
import type { BudgetReading, ClaimResult, GrantedSlot } from './shared-budget.ts';

/**
 * Reservations are drawn among this share of the ring more than wanted (at least 4): with many
 * processes reserving at once, drawing among the few earliest slots makes most writes collide.
 */
const RESERVATION_SPREAD = 1 / 4;

/** The stored state of one budget (user + group). */
export interface BudgetRing {
  limit: number;
  windowMs: number;
  /** Per slot: epoch ms until which its last request may still count on RingCentral's side. */
  busyUntil: number[];
  /** Per slot: epoch ms from which its last request was to be sent. */
  sendAt: number[];
  /** Per slot: the caller that took it last; '' for usage seen only in response headers. */
  owners: string[];
  /** End of the group's penalty (epoch ms); 0 when none. */
  penaltyUntil: number;
}

/** How the ring grants slots. */
export interface RingSettings {
  /**
   * The longest time from a slot's `sendAt` to the request's arrival at RingCentral. Half of it
   * is the caller's to send (`sendBy`), half is for the network. Each slot use costs W + hold.
   */
  holdMs: number;
  /** Source of randomness in [0, 1) for spreading simultaneous claims over free slots. */
  random?: () => number;
}

/** One slot update a claim makes. */
export interface SlotUpdate {
  index: number;
  /** The slot's `busyUntil` as read: the store's condition that nobody took it meanwhile. */
  previousBusyUntil: number;
  sendAt: number;
  busyUntil: number;
}

/** A claim worked out on a ring: the slot updates to write and what to tell the caller. */
export interface ClaimPlan {
  updates: SlotUpdate[];
  result: ClaimResult;
}

/** A ring with every slot free. */
export function emptyRing(limit: GroupLimit): BudgetRing {
  const size = Math.max(1, Math.floor(limit.limit));
  return {
    limit: size,
    windowMs: limit.windowMs,
    busyUntil: new Array<number>(size).fill(0),
    sendAt: new Array<number>(size).fill(0),
    owners: new Array<string>(size).fill(''),
    penaltyUntil: 0,
  };
}

/**
 * The ring for a new limit or window. It keeps the busiest slots (the latest `busyUntil`), so
 * requests already counted stay counted, for the new window's length from their arrival.
 */
export function resizeRing(ring: BudgetRing, limit: GroupLimit): BudgetRing {
  const next = emptyRing(limit);
  next.penaltyUntil = ring.penaltyUntil;
  const busiest = ring.busyUntil
    .map((busyUntil, index) => ({ busyUntil, index }))
    .sort((a, b) => b.busyUntil - a.busyUntil)
    .slice(0, next.limit);
  const change = limit.windowMs - ring.windowMs;
  busiest.forEach(({ busyUntil, index }, slot) => {
    next.busyUntil[slot] = busyUntil === 0 ? 0 : Math.max(0, busyUntil + change);
    next.sendAt[slot] = ring.sendAt[index] ?? 0;
    next.owners[slot] = ring.owners[index] ?? '';
  });
  return next;
}

/**
 * Works out a claim of `slots` slots for `caller` at `now`: the earliest slots free from
 * `max(now, penaltyUntil)`, none later than `deadline`, and at most the caller's fair share of
 * reservations not yet due (`limit / callers`, callers being those holding a slot of the last
 * window). Slots free at once are drawn at random, so processes claiming together mostly pick
 * different slots and their conditional writes do not collide.
 */
export function planClaim(
  ring: BudgetRing,
  request: { slots: number; caller: string; deadline?: number },
  now: number,
  settings: RingSettings,
): ClaimPlan {
  const random = settings.random ?? Math.random;
  const start = Math.max(now, ring.penaltyUntil);
  const candidates = ring.busyUntil
    .map((busyUntil, index) => ({ index, busyUntil, at: Math.max(start, busyUntil) }))
    .sort((a, b) => a.at - b.at);
  const wanted = Math.max(1, Math.floor(request.slots));
  const inTime = candidates.filter(
    (slot) => request.deadline === undefined || slot.at <= request.deadline,
  );
  const dueNow = inTime.filter((slot) => slot.at <= now);
  const chosen = sample(dueNow, Math.min(wanted, dueNow.length), random);
  let limitedBy: ClaimResult['limitedBy'];
  const futureWanted = wanted - chosen.length;
  if (futureWanted > 0) {
    const quota = Math.max(
      0,
      fairShare(ring, request.caller, now) - pending(ring, request.caller, now),
    );
    const later = inTime.filter((slot) => slot.at > now);
    const count = Math.min(futureWanted, quota, later.length);
    // The earliest few, spread over a few more so callers reserving together collide less.
    const spread = Math.max(4, Math.ceil(ring.limit * RESERVATION_SPREAD));
    chosen.push(...sample(later.slice(0, count + spread), count, random));
    if (count < futureWanted) {
      limitedBy = count < Math.min(futureWanted, later.length) ? 'share' : 'deadline';
    }
  }
  chosen.sort((a, b) => a.at - b.at);
  const taken = new Set(chosen.map((slot) => slot.index));
  const nextAt = candidates.find((slot) => !taken.has(slot.index))?.at;
  const half = settings.holdMs / 2;
  return {
    updates: chosen.map((slot) => ({
      index: slot.index,
      previousBusyUntil: slot.busyUntil,
      sendAt: slot.at,
      busyUntil: slot.at + settings.holdMs + ring.windowMs,
    })),
    result: {
      slots: chosen.map((slot): GrantedSlot => ({ sendAt: slot.at, sendBy: slot.at + half })),
      nextAt,
      limitedBy,
      penaltyUntil: ring.penaltyUntil,
    },
  };
}

/** The ring with a claim's updates applied (stores that hold the ring whole use it). */
export function applyClaim(ring: BudgetRing, updates: SlotUpdate[], caller: string): BudgetRing {
  const next = copyRing(ring);
  for (const update of updates) {
    next.busyUntil[update.index] = update.busyUntil;
    next.sendAt[update.index] = update.sendAt;
    next.owners[update.index] = caller;
  }
  return next;
}

/**
 * The ring corrected by what a response said, or undefined when it agrees. A new limit or
 * window resizes it. Usage above every slot that could have counted at the request's arrival
 * (sent before its answer, busy after its send) is someone else's: that many free slots stay
 * busy until it has left the window.
 */
export function planReading(ring: BudgetRing, reading: BudgetReading): BudgetRing | undefined {
  if (reading.limit !== ring.limit || reading.windowMs !== ring.windowMs) {
    return resizeRing(ring, { limit: reading.limit, windowMs: reading.windowMs });
  }
  const used = reading.limit - reading.remaining;
  let accounted = 0;
  for (let index = 0; index < ring.limit; index += 1) {
    const sendAt = ring.sendAt[index] ?? 0;
    const busyUntil = ring.busyUntil[index] ?? 0;
    if (busyUntil > reading.sentAt && sendAt <= reading.answeredAt) accounted += 1;
  }
  const unaccounted = used - accounted;
  if (unaccounted <= 0) return undefined;
  const next = copyRing(ring);
  const freest = next.busyUntil
    .map((busyUntil, index) => ({ busyUntil, index }))
    .sort((a, b) => a.busyUntil - b.busyUntil)
    .slice(0, unaccounted);
  for (const { index } of freest) {
    next.busyUntil[index] = Math.max(
      next.busyUntil[index] ?? 0,
      reading.answeredAt + ring.windowMs,
    );
    next.sendAt[index] = reading.answeredAt;
    next.owners[index] = '';
  }
  return next;
}

/** Callers holding a slot of the last window, the claimant included, share the budget equally. */
function fairShare(ring: BudgetRing, caller: string, now: number): number {
  const callers = new Set([caller]);
  ring.owners.forEach((owner, index) => {
    if (owner !== '' && (ring.busyUntil[index] ?? 0) > now) callers.add(owner);
  });
  return Math.max(1, Math.floor(ring.limit / callers.size));
}

/** Reservations of `caller` not yet due. */
function pending(ring: BudgetRing, caller: string, now: number): number {
  let count = 0;
  ring.owners.forEach((owner, index) => {
    if (owner === caller && (ring.sendAt[index] ?? 0) > now) count += 1;
  });
  return count;
}

function copyRing(ring: BudgetRing): BudgetRing {
  return {
    ...ring,
    busyUntil: [...ring.busyUntil],
    sendAt: [...ring.sendAt],
    owners: [...ring.owners],
  };
}

/** `count` items drawn at random without repetition (partial Fisher-Yates). */
function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  for (let index = 0; index < count; index += 1) {
    const pick = index + Math.floor(random() * (pool.length - index));
    [pool[index], pool[pick]] = [pool[pick] as T, pool[index] as T];
  }
  return pool.slice(0, count);
}
