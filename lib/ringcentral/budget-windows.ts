/**
 * The shared rate budget's state and rules as pure functions, so every store (DynamoDB, memory)
 * applies the same rules and tests need no store.
 *
 * RingCentral counts a request in a sliding log from its arrival until a window `W` later. Time
 * is cut into buckets of `bucketMs`; a slot granted in bucket `b` is sent inside the bucket and
 * arrives at RingCentral at most `networkMs` after it ends. Any window of RingCentral's log then
 * holds arrivals of at most `span = W / bucketMs + 1 + ceil(networkMs / bucketMs)` consecutive
 * buckets, so the guarantee is: every run of `span` consecutive buckets holds at most `limit`
 * slots. The store keeps, besides each bucket's count, the sum of every run (`sums[j]` for the
 * run starting at bucket `j`), and a claim adds its slots to each run it falls in, on condition
 * that each of those sums stays within the limit. Those conditions are thresholds, not "as
 * read": claims of many processes, even into the same bucket, never invalidate each other, and
 * a store applies them atomically one after another (DynamoDB's ADD with a condition).
 */
import type { GroupLimit } from './rate-limit-groups.ts';
import type { BudgetReading, ClaimResult, GrantedSlot } from './shared-budget.ts';

/** Buckets per window by default: the budget usable in steady state is `W / (W + 2 buckets)`, 94% at 30. */
export const DEFAULT_BUCKETS_PER_WINDOW = 30;
/** A claim grants slots in at most this many buckets (one store write, bounded conditions). */
const MAX_BUCKETS_PER_CLAIM = 2;
/**
 * Spare slots of one claim stay under `limit / (SPARE_RUN_FRACTION * span)`: a caller that
 * claimed spares in every bucket of a run and used none would hold a quarter of the limit.
 */
const SPARE_RUN_FRACTION = 4;

/** How a budget cuts time; every process of the budget must use the same (the store keeps it). */
export interface BudgetGeometry {
  limit: number;
  windowMs: number;
  bucketMs: number;
  /** Buckets whose requests can share one window of RingCentral's log. */
  span: number;
  /** The longest time from a bucket's end to its last request's arrival at RingCentral. */
  networkMs: number;
}

/** The stored state of one budget (user + group). */
export interface BudgetWindows extends BudgetGeometry {
  /** Slots granted (or seen used) per bucket index (`floor(epoch ms / bucketMs)`). */
  counts: Map<number, number>;
  /** Slots in the run of `span` buckets starting at each bucket index. */
  sums: Map<number, number>;
  /** End of the group's penalty (epoch ms); 0 when none. */
  penaltyUntil: number;
  /** Callers that claimed in the current or the previous window (fair share). */
  callers: Set<string>;
}

/** How the budget grants slots. */
export interface BudgetSettings {
  /**
   * The longest time from a slot's grant to its request's arrival at RingCentral when sent at
   * once; half of it bounds the network (`networkMs`). Default 1,000 ms.
   */
  holdMs: number;
  /** Buckets per window; default {@link DEFAULT_BUCKETS_PER_WINDOW}. */
  bucketsPerWindow?: number;
}

/** A claim worked out on the state: slots per bucket, what each run's sum gains, the answer. */
export interface ClaimPlan {
  buckets: Array<{ bucket: number; slots: number }>;
  /** Per run start: the slots this claim adds; the store's condition is `sum <= limit - add`. */
  runs: Map<number, number>;
  result: ClaimResult;
}

/** What a claim must know about its caller beyond the state. */
export interface ClaimRequest {
  slots: number;
  caller: string;
  deadline?: number;
  /** The caller's granted slots not yet due (fair share counts them). */
  pending: number;
  /**
   * Epoch ms before which no slot is wanted: a claim that lost a race spreads its next try over
   * later buckets, so the losers do not all aim at the same few free slots again.
   */
  from?: number;
  /** Slots wanted beyond `slots` for the caller's next requests (see {@link spareSlots}). */
  spare?: number;
}

/** The geometry for a group's limit. */
export function geometryFor(limit: GroupLimit, settings: BudgetSettings): BudgetGeometry {
  const networkMs = Math.ceil(settings.holdMs / 2);
  const perWindow = settings.bucketsPerWindow ?? DEFAULT_BUCKETS_PER_WINDOW;
  // A bucket at least as long as the network allowance keeps the span at W/bucket + 2.
  const bucketMs = Math.max(1, Math.ceil(limit.windowMs / perWindow), networkMs);
  return {
    limit: Math.max(1, Math.floor(limit.limit)),
    windowMs: limit.windowMs,
    bucketMs,
    span: Math.ceil(limit.windowMs / bucketMs) + 1 + Math.ceil(networkMs / bucketMs),
    networkMs,
  };
}

/** A budget with no slot used. */
export function emptyWindows(geometry: BudgetGeometry): BudgetWindows {
  return { ...geometry, counts: new Map(), sums: new Map(), penaltyUntil: 0, callers: new Set() };
}

/** Whether two geometries cut time the same way. */
export function sameGeometry(a: BudgetGeometry, b: BudgetGeometry): boolean {
  return (
    a.limit === b.limit &&
    a.windowMs === b.windowMs &&
    a.bucketMs === b.bucketMs &&
    a.span === b.span &&
    a.networkMs === b.networkMs
  );
}

/** Slots still free in `bucket`: the limit less the fullest run holding it. */
function room(state: BudgetWindows, bucket: number, added: Map<number, number>): number {
  let fullest = 0;
  for (let start = bucket - state.span + 1; start <= bucket; start += 1) {
    fullest = Math.max(fullest, (state.sums.get(start) ?? 0) + (added.get(start) ?? 0));
  }
  return Math.max(0, state.limit - fullest);
}

/**
 * How many of `wanted` spare slots a claim may add to a bucket with `left` slots of room after
 * its requested ones: a lease for the caller's next requests, so that most of them need no
 * store write while the budget is ample. Never more than keeps half the limit free (a busy
 * budget leases nothing), and never more than `limit / (4 * span)` per claim: unused spares
 * lapse with their bucket, so a caller claiming in every bucket of a run and using none of
 * them holds at most a quarter of the limit. At RingCentral's own limits (Medium 40 a minute,
 * 32 buckets a run) that is none: every request claims its own slot.
 */
export function spareSlots(state: BudgetGeometry, wanted: number, left: number): number {
  const perClaim = Math.floor(state.limit / (SPARE_RUN_FRACTION * state.span));
  return Math.max(0, Math.min(Math.floor(wanted), perClaim, left - Math.ceil(state.limit / 2)));
}

/** The last bucket holding slots; every bucket a span after it is free. */
function lastUsedBucket(state: BudgetWindows): number {
  let last = Number.NEGATIVE_INFINITY;
  for (const [bucket, count] of state.counts) if (count > 0) last = Math.max(last, bucket);
  return last;
}

/**
 * Works out a claim of `slots` slots at `now`: slots free at once first, then reservations in
 * the earliest buckets with room from `max(now, penaltyUntil)`, none starting after `deadline`,
 * in at most two buckets, and reservations only up to the caller's fair share (`limit /
 * callers` rounded up, callers being those that claimed in the last window, the claimant included).
 */
export function planClaim(state: BudgetWindows, request: ClaimRequest, now: number): ClaimPlan {
  const start = Math.max(now, state.penaltyUntil, request.from ?? now);
  const first = Math.floor(start / state.bucketMs);
  const horizon = Math.max(first, lastUsedBucket(state) + 1) + state.span;
  const wanted = Math.max(1, Math.floor(request.slots));
  const callers = new Set(state.callers).add(request.caller).size;
  // Rounded up: the share is fairness, the runs' conditions keep the limit. Rounded down, 21
  // callers of 40 slots got one slot per claim, one locked store write per request sent.
  const share = Math.max(1, Math.ceil(state.limit / callers));
  let reservable = Math.max(0, share - request.pending);
  let spare = Math.max(0, request.spare ?? 0);
  const runs = new Map<number, number>();
  const buckets: ClaimPlan['buckets'] = [];
  const slots: GrantedSlot[] = [];
  let limitedBy: ClaimResult['limitedBy'];
  let nextAt: number | undefined;
  for (let bucket = first; bucket <= horizon; bucket += 1) {
    const sendAt = Math.max(start, bucket * state.bucketMs);
    const free = room(state, bucket, runs);
    if (free === 0) continue;
    const tooLate = request.deadline !== undefined && sendAt > request.deadline;
    const full = slots.length >= wanted || buckets.length >= MAX_BUCKETS_PER_CLAIM;
    const reservation = sendAt > now;
    if (tooLate || full || (reservation && reservable === 0)) {
      nextAt = sendAt;
      if (!full) limitedBy = tooLate ? 'deadline' : 'share';
      break;
    }
    let count = Math.min(free, wanted - slots.length, reservation ? reservable : free);
    if (reservation) reservable -= count;
    else if (spare > 0) {
      // Only slots free at once are leased: a reservation ahead is never taken on speculation.
      const leased = spareSlots(state, spare, free - count);
      count += leased;
      spare = 0;
    }
    buckets.push({ bucket, slots: count });
    for (let run = bucket - state.span + 1; run <= bucket; run += 1) {
      runs.set(run, (runs.get(run) ?? 0) + count);
    }
    const sendBy = (bucket + 1) * state.bucketMs;
    for (let index = 0; index < count; index += 1) slots.push({ sendAt, sendBy });
    if (count < free) {
      nextAt = sendAt;
      if (slots.length < wanted) limitedBy = 'share';
      break;
    }
  }
  return {
    buckets,
    runs,
    result: { slots, nextAt, limitedBy, penaltyUntil: state.penaltyUntil },
  };
}

/**
 * The slots of a claim as due once its write is answered at `answeredAt`. A claim is planned
 * from when its write is expected back, so that a slow store voids no slot; but a request sent
 * at any moment of its slot's bucket after the penalty keeps every run within the limit, so a
 * write answered sooner than expected sends at once instead of waiting out the estimate.
 */
export function dueOnAnswer(
  result: ClaimResult,
  geometry: Pick<BudgetGeometry, 'bucketMs'>,
  answeredAt: number,
): ClaimResult {
  return {
    ...result,
    slots: result.slots.map((slot) => ({
      ...slot,
      sendAt: Math.min(
        slot.sendAt,
        Math.max(answeredAt, slot.sendBy - geometry.bucketMs, result.penaltyUntil),
      ),
    })),
  };
}

/** The state with a claim's slots added (stores that hold the state whole use it). */
export function applyClaim(state: BudgetWindows, plan: ClaimPlan, caller: string): BudgetWindows {
  const next = copyWindows(state);
  for (const { bucket, slots } of plan.buckets) {
    next.counts.set(bucket, (next.counts.get(bucket) ?? 0) + slots);
  }
  for (const [run, add] of plan.runs) next.sums.set(run, (next.sums.get(run) ?? 0) + add);
  if (plan.buckets.length > 0) next.callers.add(caller);
  return next;
}

/** What a response's headers ask of the store. */
export type ReadingPlan =
  | { kind: 'resize'; state: BudgetWindows }
  | { kind: 'usage'; bucket: number; slots: number };

/**
 * What a response said against the state, or undefined when it agrees. A new limit or window
 * re-cuts the counts into the new geometry (each bucket's slots moved to the new bucket holding
 * its last send time, so they count at least as long). Usage above every slot that could have
 * counted at the request's arrival is someone else's: it is added to the bucket of the answer.
 */
export function planReading(
  state: BudgetWindows,
  reading: BudgetReading,
  settings: BudgetSettings,
): ReadingPlan | undefined {
  if (reading.limit !== state.limit || reading.windowMs !== state.windowMs) {
    const geometry = geometryFor(reading, settings);
    return { kind: 'resize', state: recut(state, geometry, reading.answeredAt) };
  }
  const used = reading.limit - reading.remaining;
  let accounted = 0;
  for (const [bucket, count] of state.counts) {
    const sentFrom = bucket * state.bucketMs;
    const arrivedBy = (bucket + 1) * state.bucketMs + state.networkMs;
    if (sentFrom <= reading.answeredAt && arrivedBy + state.windowMs > reading.sentAt) {
      accounted += count;
    }
  }
  const unaccounted = used - accounted;
  if (unaccounted <= 0) return undefined;
  return {
    kind: 'usage',
    bucket: Math.floor(reading.answeredAt / state.bucketMs),
    slots: unaccounted,
  };
}

/** The runs a bucket belongs to. */
export function runsOf(state: BudgetGeometry, bucket: number): number[] {
  return Array.from({ length: state.span }, (_, offset) => bucket - state.span + 1 + offset);
}

/** The state with `slots` more used in `bucket`. */
export function addUsage(state: BudgetWindows, bucket: number, slots: number): BudgetWindows {
  const next = copyWindows(state);
  next.counts.set(bucket, (next.counts.get(bucket) ?? 0) + slots);
  for (const run of runsOf(state, bucket)) next.sums.set(run, (next.sums.get(run) ?? 0) + slots);
  return next;
}

/** Buckets and runs that no request may count in any more at `now` (a store may drop them). */
export function expiredIndexes(
  state: BudgetWindows,
  now: number,
): { buckets: number[]; runs: number[] } {
  // Two spans back: no claim, even of a process whose clock lags, lands there.
  const oldest = Math.floor(now / state.bucketMs) - 2 * state.span;
  return {
    buckets: [...state.counts.keys()].filter((bucket) => bucket < oldest),
    runs: [...state.sums.keys()].filter((run) => run < oldest),
  };
}

function recut(state: BudgetWindows, geometry: BudgetGeometry, now: number): BudgetWindows {
  let next = emptyWindows(geometry);
  next.penaltyUntil = state.penaltyUntil;
  next.callers = new Set(state.callers);
  const oldest = Math.floor(now / state.bucketMs) - 2 * state.span;
  for (const [bucket, count] of state.counts) {
    if (bucket < oldest || count <= 0) continue;
    const lastSend = (bucket + 1) * state.bucketMs - 1;
    next = addUsage(next, Math.floor(lastSend / geometry.bucketMs), count);
  }
  return next;
}

function copyWindows(state: BudgetWindows): BudgetWindows {
  return {
    ...state,
    counts: new Map(state.counts),
    sums: new Map(state.sums),
    callers: new Set(state.callers),
  };
}
