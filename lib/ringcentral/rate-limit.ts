import type { CallOptions } from './deadline.ts';
import { DeadlineExceededError } from './errors.ts';
import type { GroupLimit, RateLimitGroup } from './rate-limit-groups.ts';
import { DEFAULT_GROUP_LIMITS, RATE_LIMIT_GROUPS } from './rate-limit-groups.ts';
import { penaltyWaitMs } from './rate-limit-penalty.ts';
import { Queue, SlidingMax } from './rate-limit-window.ts';
import type { SharedBudgetOptions } from './shared-pacer.ts';
import { SharedGroupPacer } from './shared-pacer.ts';
import type { Waiter } from './waiter-queue.ts';
import { WaiterQueue, WakeTimer } from './waiter-queue.ts';

/** Why a request is held back. */
export type WaitReason = 'penalty' | 'budget' | 'in-flight';

/** Reported through `onWait` whenever a request has to wait for its group. */
export interface PacerWaitInfo {
  group: RateLimitGroup;
  reason: WaitReason;
  /** Expected wait; undefined while waiting for an in-flight response. */
  waitMs: number | undefined;
}

/** Pacer settings; windows are configurable so tests run in seconds. */
export interface PacerOptions {
  /** Budgets assumed before the first response of a group states the real ones. */
  groups?: Partial<Record<RateLimitGroup, GroupLimit>>;
  /** Requests kept unused per window, per group or for all; default 0. */
  safety?: number | Partial<Record<RateLimitGroup, number>>;
  onWait?: (info: PacerWaitInfo) => void;
  now?: () => number;
  /** Source of the jitter after repeated 429s, in [0, 1); Math.random by default. */
  random?: () => number;
  /**
   * A budget shared with every other process of the same user (e.g. in DynamoDB): each group
   * then claims its slots there before sending, instead of inferring the others' usage.
   */
  shared?: SharedBudgetOptions;
}

/** What the request pipeline needs of a group's pacer, local or over a shared budget. */
export interface GroupGate {
  readonly group: RateLimitGroup;
  /** Waits (FIFO, bounded by the caller's deadline or signal) for a slot in this group. */
  acquire(options?: CallOptions): Promise<Permit>;
  /** Current state, for errors and hooks. */
  snapshot(): GroupSnapshot;
}

/** What a finished exchange tells the pacer. */
export interface ExchangeOutcome {
  status?: number;
  headers?: Headers;
  /** For a 429: how long the group must stay silent (the server's Retry-After). */
  penaltyMs?: number;
}

/** A claimed slot: report the outcome once the response (or failure) is known. */
export interface Permit {
  readonly group: RateLimitGroup;
  complete(outcome?: ExchangeOutcome): void;
  /** The request was never sent (e.g. the token could not be had): give the slot back. */
  cancel(): void;
}

/** A group's state, for errors and diagnostics. */
export interface GroupSnapshot {
  limit: number;
  windowMs: number;
  /** This client's requests that may still count on the server (in flight or answered < window ago). */
  ownInWindow: number;
  inFlight: number;
  /** Slots reserved for other processes: the most they were seen using in the last window. */
  othersEstimate: number;
  /** Slots this client holds: its requests in the window plus freed slots it is about to re-use. */
  level: number;
  blockedUntil: number;
  /** 429s in a row (refused probes), 0 after a success. */
  consecutiveRateLimited: number;
}

/** Claims are never closer together than this, whatever the round trips: covers timer lateness. */
const MIN_CLAIM_SPACING_MS = 10;

/**
 * The share of a group's budget a client may claim without spacing its claims, while a fresh
 * response shows the server's whole log that far below the budget: four clients doing so at once
 * still stay within it.
 */
const FREE_SHARE = 1 / 4;

/** One of this client's requests, from send until its response headers (or failure). */
interface Exchange {
  sentAt: number;
  /** This client's requests granted before this one. */
  sendIndex: number;
  /** This client's requests in flight when it was sent (they may reach the server after it). */
  inFlightAtSend: number;
  claim: boolean;
  /** Another request of this client was in flight at some moment of this one's flight. */
  overlapped: boolean;
  /** Penalty epoch when sent: a 429 for a request of the current epoch is a refused probe. */
  epoch: number;
  settled: boolean;
}

/** What one response said of the server's whole log (everyone's requests) at its arrival. */
interface UsageReading {
  /** `Limit - Remaining`: every request in the log, this one included. */
  used: number;
  exchange: Exchange;
}

/** A finished exchange: it may count on the server until `answeredAt + window`. */
interface Answered {
  sentAt: number;
  answeredAt: number;
}

type Decision =
  | { ok: true; claim: boolean }
  | { ok: false; reason: WaitReason; wakeAt: number | undefined };

/**
 * Paces one usage-plan group ahead of time so that normal operation never sees a 429, also when
 * other processes spend the same user's budget.
 *
 * RingCentral keeps a sliding log per user+app+group: a request counts from its arrival `a` to
 * `a + W`, and each response reports Limit, Remaining (after counting it) and Window. This client
 * knows of each request only its send time `s` and answer time `r` (`s <= a <= r`). The scheme is
 * one of held slots:
 *
 * - **Own slots.** A request occupies a slot from its send until `r + W`; by then it has surely
 *   left the server's log. When one of this client's slots frees and a request waits, the request
 *   re-uses it at once ("re-use"): this client never exceeds the most it held in the last window.
 * - **Others' usage.** A response says the log held `U = Limit - Remaining` at `a`. If no other
 *   request of this client overlapped that exchange and none of its answered ones straddles the
 *   window's edge, exactly which own requests were in `U` is known, and the rest is the others'
 *   usage. The others re-use their slots too, so their usage dips for a round trip whenever one
 *   of their requests expires; the estimate is therefore the LARGEST reading of the last window,
 *   never the latest. An ambiguous reading still bounds the others: at most the log less this
 *   client's requests that surely counted, at least the log less every one that may have. Once
 *   a lower bound (or an exact reading) shows others, the client is not alone for a window, and
 *   the estimate is the largest upper bound too: overlapping requests (late timers freeing
 *   several slots at once, a burst of re-uses) make every reading ambiguous, and the absence of
 *   an exact reading must never read as "nobody else" (that let two clients each claim up to
 *   the whole budget beside each other).
 * - **Claims.** A request beyond the held slots claims a free one. Claims are spaced at least
 *   `tau` apart (half the average slot spacing `W / 2L`, and at least four round trips), one
 *   unanswered at a time, and, with others present, made only on a reading younger than
 *   `tau / 2`. So a claim misses at most one claim of another process, and it needs two free
 *   slots: one for itself and one for the claim it may not have seen. The last free slot goes to
 *   the process that would still hold no more than the other after taking it: of two processes
 *   that both see one free slot, at most one holds fewer, so they never both take it. Alone (no
 *   reading proved others for a window), a client claims up to the limit.
 * - **Free share.** Far below the budget none of this caution is needed. While the newest
 *   response, sent less than `tau / 2` ago, shows the server's whole log (everyone's requests)
 *   plus every request of this client that may have reached the server after it below a quarter
 *   of the budget, a claim goes at once, without spacing and beside other claims. Each client
 *   counts everything it has not seen as its own, so up to four clients doing so at once stay
 *   within the budget. A client that starts next to a busy one sees the busy one's usage in its
 *   first response and claims the careful way.
 * - **Reserve.** `safety` requests per window are never used (e.g. left to interactive sends).
 * - **Penalties.** A 429 blocks the group for Retry-After. A refused probe waits longer, with a
 *   growing random extra ({@link penaltyWaitMs}), so processes stop restarting each other's
 *   penalty. Afterwards everything is forgotten and the group starts again with one probe.
 *
 * Every wait is bounded by the caller's deadline: a request whose deadline falls before the group
 * can open fails at once. Every operation is O(1) amortised, apart from a scan of the answered
 * requests near the window's edge.
 */
export class GroupPacer implements GroupGate {
  readonly group: RateLimitGroup;
  private limit: number;
  private windowMs: number;
  private readonly safety: number;
  private readonly now: () => number;
  private readonly onWait: ((info: PacerWaitInfo) => void) | undefined;
  private readonly random: () => number;
  private readonly queue: WaiterQueue;
  private readonly inFlight = new Set<Exchange>();
  /** Answered requests in answer order (so `answeredAt` never decreases). */
  private readonly answered = new Queue<Answered>();
  private readonly ownPeak = new SlidingMax();
  private readonly others = new SlidingMax();
  /** Most the others may have held, from every reading, ambiguous ones included. */
  private readonly othersBound = new SlidingMax();
  /** Until when others are known to exist (a reading proved usage that cannot be this client's). */
  private othersSeenUntil = Number.NEGATIVE_INFINITY;
  /** Answer times of this client's requests, kept a window and the longest exchange. */
  private readonly answerTimes = new Queue<number>();
  private answerTimesDropped = 0;
  private lastReadingAt = Number.NEGATIVE_INFINITY;
  private lastClaimAt = Number.NEGATIVE_INFINITY;
  /** Claims sent and not yet answered (at most one). */
  private claimInFlight = 0;
  /** Requests granted so far (the next one's `sendIndex`). */
  private sends = 0;
  private latestUsage: UsageReading | undefined;
  private roundTripMs = 0;
  /** The longest exchange (send to answer) seen: bounds how far a send lies before its answer. */
  private longestExchangeMs = 0;
  private blockedUntil = 0;
  private epoch = 0;
  private consecutiveRateLimited = 0;
  private readonly wake = new WakeTimer(() => this.pump());

  constructor(
    group: RateLimitGroup,
    limit: GroupLimit,
    safety: number,
    now: () => number,
    onWait?: (info: PacerWaitInfo) => void,
    random: () => number = Math.random,
  ) {
    this.group = group;
    this.limit = limit.limit;
    this.windowMs = limit.windowMs;
    this.safety = safety;
    this.now = now;
    this.onWait = onWait;
    this.random = random;
    this.queue = new WaiterQueue(`the ${group} rate-limit group`, () => this.pump());
  }

  /** Waits (FIFO, bounded by the caller's deadline or signal) for a slot in this group. */
  acquire(options?: CallOptions): Promise<Permit> {
    return this.queue.wait(options, `${this.group} request`);
  }

  /** Current state, for errors and hooks. */
  snapshot(): GroupSnapshot {
    const now = this.now();
    this.prune(now);
    return {
      limit: this.limit,
      windowMs: this.windowMs,
      ownInWindow: this.ownInWindow(),
      inFlight: this.inFlight.size,
      othersEstimate: this.othersEstimate(now),
      level: this.ownPeak.max(now),
      blockedUntil: this.blockedUntil,
      consecutiveRateLimited: this.consecutiveRateLimited,
    };
  }

  private ownInWindow(): number {
    return this.inFlight.size + this.answered.length;
  }

  private prune(now: number): void {
    for (let front = this.answered.peek(); front; front = this.answered.peek()) {
      if (front.answeredAt + this.windowMs > now) break;
      this.answered.shift();
    }
  }

  /** Minimum time between two claims of this client. */
  private claimSpacing(): number {
    return Math.max(
      MIN_CLAIM_SPACING_MS,
      this.windowMs / (2 * Math.max(1, this.limit)),
      4 * this.roundTripMs,
    );
  }

  private decide(now: number): Decision {
    if (now < this.blockedUntil) return { ok: false, reason: 'penalty', wakeAt: this.blockedUntil };
    this.prune(now);
    const own = this.ownInWindow();
    const budget = this.limit - this.safety;
    const others = this.othersEstimate(now);

    // Re-use: back up to a level held in the last window, while the others leave room for it.
    if (own < this.ownPeak.max(now)) {
      if (own + others + 1 <= budget) return { ok: true, claim: false };
      return this.waitForBudget(now);
    }

    // A claim.
    if (this.withinFreeShare(now, budget)) return { ok: true, claim: true };
    if (this.claimInFlight > 0) return { ok: false, reason: 'in-flight', wakeAt: undefined };
    const spacingEnd = this.lastClaimAt + this.claimSpacing();
    if (now < spacingEnd) return { ok: false, reason: 'budget', wakeAt: spacingEnd };
    if (others === 0) {
      if (own + 1 <= budget) return { ok: true, claim: true };
      return this.waitForBudget(now);
    }
    const fresh = now - this.lastReadingAt <= this.claimSpacing() / 2;
    // One slot for a claim of another process this client may not have seen yet, unless this
    // client would still hold no more than the other: then the other does not take the last one.
    const unseen = own + 1 <= others ? 0 : 1;
    const margin = fresh ? unseen : unseen + 1;
    if (own + others + 1 + margin <= budget) return { ok: true, claim: true };
    return this.waitForBudget(now);
  }

  /**
   * The slots the others may hold: the largest exact reading of the last window, and while
   * others are known to exist, also the largest bound any reading gave. "No reading" is never
   * "nobody": once others are seen, only a reading can lower the estimate, never its absence.
   */
  private othersEstimate(now: number): number {
    const exact = this.others.max(now);
    if (now >= this.othersSeenUntil) return exact;
    return Math.max(exact, this.othersBound.max(now));
  }

  /** See "Free share" in the class comment. */
  private withinFreeShare(now: number, budget: number): boolean {
    const usage = this.latestUsage;
    if (!usage || now - usage.exchange.sentAt > this.claimSpacing() / 2) return false;
    const { sendIndex, inFlightAtSend } = usage.exchange;
    const unseen = this.sends - sendIndex - 1 + inFlightAtSend;
    return usage.used + unseen + 1 <= Math.floor(budget * FREE_SHARE);
  }

  /** Out of budget: wait for this client's next expiry (a re-use brings a fresh reading) or a change of the others' estimate. */
  private waitForBudget(now: number): Decision {
    const expiry = this.answered.peek();
    const nextExpiry = expiry ? expiry.answeredAt + this.windowMs : Number.POSITIVE_INFINITY;
    const othersChange =
      now < this.othersSeenUntil
        ? Math.min(
            this.others.nextChange(now) ?? Number.POSITIVE_INFINITY,
            this.othersBound.nextChange(now) ?? Number.POSITIVE_INFINITY,
          )
        : (this.others.nextChange(now) ?? Number.POSITIVE_INFINITY);
    const wakeAt = Math.min(nextExpiry, othersChange);
    return { ok: false, reason: 'budget', wakeAt: Number.isFinite(wakeAt) ? wakeAt : undefined };
  }

  private grant(waiter: Waiter, claim: boolean, now: number): void {
    const exchange: Exchange = {
      sentAt: now,
      sendIndex: this.sends,
      inFlightAtSend: this.inFlight.size,
      claim,
      overlapped: this.inFlight.size > 0,
      epoch: this.epoch,
      settled: false,
    };
    for (const other of this.inFlight) other.overlapped = true;
    this.sends += 1;
    this.inFlight.add(exchange);
    if (claim) {
      this.lastClaimAt = now;
      this.claimInFlight += 1;
    }
    // Held past the window by a claim spacing: the slot frees only at the answer + window, and
    // the re-use must still find the level it held.
    this.ownPeak.add(this.ownInWindow(), now + this.windowMs + this.claimSpacing());
    const settle = (): boolean => {
      if (exchange.settled) return false;
      exchange.settled = true;
      this.inFlight.delete(exchange);
      this.noteSettled(exchange);
      if (exchange.claim) this.claimInFlight -= 1;
      return true;
    };
    this.queue.grant(waiter, {
      group: this.group,
      complete: (outcome) => {
        if (settle()) this.complete(exchange, outcome ?? {});
      },
      cancel: () => {
        if (settle()) this.pump();
      },
    });
  }

  private complete(exchange: Exchange, outcome: ExchangeOutcome): void {
    const now = this.now();
    this.roundTripMs = Math.max(now - exchange.sentAt, this.roundTripMs * 0.9);
    this.longestExchangeMs = Math.max(this.longestExchangeMs, now - exchange.sentAt);
    const limit = headerNumber(outcome.headers, 'x-rate-limit-limit');
    const windowSeconds = headerNumber(outcome.headers, 'x-rate-limit-window');
    if (limit !== undefined && limit > 0) this.limit = limit;
    if (windowSeconds !== undefined && windowSeconds > 0) this.windowMs = windowSeconds * 1000;

    if (outcome.status === 429) {
      this.penalize(exchange, outcome.penaltyMs ?? 0, now);
      return;
    }
    if (outcome.status !== undefined) this.consecutiveRateLimited = 0;
    const remaining = headerNumber(outcome.headers, 'x-rate-limit-remaining');
    const newest = this.latestUsage?.exchange.sentAt ?? Number.NEGATIVE_INFINITY;
    if (remaining !== undefined && exchange.sentAt >= newest) {
      this.latestUsage = { used: Math.max(0, this.limit - remaining), exchange };
    }
    if (remaining !== undefined) this.bound(exchange, remaining, now);
    if (remaining !== undefined && !exchange.overlapped) this.read(exchange, remaining, now);
    this.answered.push({ sentAt: exchange.sentAt, answeredAt: now });
    this.pump();
  }

  /** Records the others' usage from an unambiguous response. */
  private read(exchange: Exchange, remaining: number, now: number): void {
    this.prune(exchange.sentAt);
    // Own answered requests that may still have counted at this one's arrival: answered less
    // than a window before it was sent. Each surely counted if sent less than a window before
    // this answer; otherwise it straddles the window's edge and the reading is ambiguous.
    const first = this.firstAnsweredAfter(exchange.sentAt - this.windowMs);
    // Only the oldest of them can straddle the edge: one answered later than the edge plus the
    // longest exchange seen was surely sent after it. So the scan stays short however large the
    // budget is.
    const edge = now - this.windowMs;
    for (let index = first; ; index++) {
      const entry = this.answered.at(index);
      if (!entry || entry.answeredAt > edge + this.longestExchangeMs) break;
      if (entry.sentAt <= edge) return;
    }
    const counted = 1 + this.answered.length - first;
    const othersUsage = Math.max(0, this.limit - remaining - counted);
    this.others.add(othersUsage, now + this.windowMs);
    if (othersUsage > 0) this.othersSeenUntil = now + this.windowMs + this.claimSpacing();
    // The reading describes the server at this request's arrival, which may be as early as its
    // send: a busy event loop can take a while to get here, and the age must not look younger.
    this.lastReadingAt = exchange.sentAt;
  }

  /**
   * Bounds the others' usage from any response, overlapped or not: at most the log less this
   * client's requests that surely counted (answered before this one was sent, and sent less than
   * a window before its answer); at least the log less every request of this client that may
   * have counted (answered less than a window before this one was sent, or still in flight).
   * A positive lower bound proves others exist for a window.
   */
  private bound(exchange: Exchange, remaining: number, now: number): void {
    this.prune(exchange.sentAt);
    const used = Math.max(0, this.limit - remaining);
    // Counted from every send: `answered` may already have dropped requests that counted then.
    const possiblyOwn = this.sends - this.answeredBy(exchange.sentAt - this.windowMs);
    if (used > possiblyOwn) this.othersSeenUntil = now + this.windowMs + this.claimSpacing();
    const edge = now - this.windowMs;
    let surelyOwn = 1;
    const last = this.firstAnsweredAfter(exchange.sentAt);
    for (let index = this.firstAnsweredAfter(edge); index < last; index++) {
      if ((this.answered.at(index)?.sentAt ?? edge) > edge) surelyOwn += 1;
    }
    const most = Math.max(0, used - surelyOwn);
    this.othersBound.add(most, now + this.windowMs);
  }

  /** Keeps the settle time of every request (answered, refused or never sent) a window and an exchange long. */
  private noteSettled(exchange: Exchange): void {
    const now = this.now();
    this.longestExchangeMs = Math.max(this.longestExchangeMs, now - exchange.sentAt);
    this.answerTimes.push(now);
    const forgetBefore = now - this.windowMs - this.longestExchangeMs;
    for (let front = this.answerTimes.peek(); front !== undefined && front <= forgetBefore; ) {
      this.answerTimes.shift();
      this.answerTimesDropped += 1;
      front = this.answerTimes.peek();
    }
  }

  /** This client's requests answered at or before `time` (at least a window and an exchange ago). */
  private answeredBy(time: number): number {
    let low = 0;
    let high = this.answerTimes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.answerTimes.at(middle) ?? 0) > time) high = middle;
      else low = middle + 1;
    }
    return this.answerTimesDropped + low;
  }

  /** Index of the first answered request with `answeredAt > time` (binary search). */
  private firstAnsweredAfter(time: number): number {
    let low = 0;
    let high = this.answered.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.answered.at(middle)?.answeredAt ?? 0) > time) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** Blocks the group after a 429 and forgets what it knew of the window. */
  private penalize(exchange: Exchange, retryAfterMs: number, now: number): void {
    if (exchange.epoch === this.epoch) {
      // Refused while nothing was known to be wrong: a probe (or the first 429) was refused.
      this.consecutiveRateLimited += 1;
      this.epoch += 1;
    }
    const waitMs = penaltyWaitMs(retryAfterMs, this.consecutiveRateLimited, this.random);
    this.blockedUntil = Math.max(this.blockedUntil, now + waitMs);
    // The penalty is at least a window long: when it ends, the server's log is empty of
    // everything sent so far. Start again from one probe.
    this.answered.clear();
    this.ownPeak.clear();
    this.others.clear();
    this.othersBound.clear();
    this.othersSeenUntil = Number.NEGATIVE_INFINITY;
    this.lastReadingAt = Number.NEGATIVE_INFINITY;
    this.latestUsage = undefined;
    this.lastClaimAt = Number.NEGATIVE_INFINITY;
    this.pump();
  }

  private pump(): void {
    const now = this.now();
    while (this.queue.length > 0) {
      const head = this.queue.at(0)!;
      const decision = this.decide(now);
      if (decision.ok) {
        this.grant(head, decision.claim, now);
        continue;
      }
      // Nobody behind the head can be served before the head: fail everyone whose deadline
      // falls before the earliest moment a slot can open, instead of letting them sleep.
      const wakeAt = decision.wakeAt;
      for (const waiter of this.queue.list()) {
        const deadline = waiter.options?.deadline;
        const hopeless =
          deadline !== undefined &&
          (deadline <= now || (wakeAt !== undefined && wakeAt > deadline));
        if (hopeless) {
          const waitMs = wakeAt === undefined ? undefined : wakeAt - now;
          const state = decision.reason === 'penalty' ? 'in a 429 penalty' : 'out of budget';
          this.queue.refuse(
            waiter,
            new DeadlineExceededError(
              `The ${this.group} rate-limit group is ${state}${waitMs === undefined ? '' : ` for ${Math.ceil(waitMs)} ms`}; the deadline comes first`,
              waitMs,
              { rateLimit: { group: this.group, limit: this.limit } },
            ),
          );
        } else if (waiter.reported !== decision.reason) {
          waiter.reported = decision.reason;
          this.onWait?.({
            group: this.group,
            reason: decision.reason,
            waitMs: wakeAt === undefined ? undefined : wakeAt - now,
          });
        }
      }
      let nextAt = wakeAt ?? Number.POSITIVE_INFINITY;
      for (const waiter of this.queue.list()) {
        const deadline = waiter.options?.deadline;
        if (deadline !== undefined) nextAt = Math.min(nextAt, deadline);
      }
      this.wake.schedule(nextAt, now);
      return;
    }
    this.wake.schedule(Number.POSITIVE_INFINITY, now);
  }
}

/**
 * One pacer per group, shared by every operation of a client: the local pacer, or with
 * `shared` the pacer over the shared budget ({@link SharedGroupPacer}).
 */
export class RateLimiter {
  private readonly groups: Record<RateLimitGroup, GroupGate>;

  constructor(options: PacerOptions = {}) {
    const now = options.now ?? Date.now;
    const safetyFor = (group: RateLimitGroup): number =>
      typeof options.safety === 'number' ? options.safety : (options.safety?.[group] ?? 0);
    const shared = options.shared;
    const entries = RATE_LIMIT_GROUPS.map((group): readonly [RateLimitGroup, GroupGate] => {
      const limit = options.groups?.[group] ?? DEFAULT_GROUP_LIMITS[group];
      const pacer = shared
        ? new SharedGroupPacer(group, limit, shared, now, options.onWait)
        : new GroupPacer(group, limit, safetyFor(group), now, options.onWait, options.random);
      return [group, pacer];
    });
    this.groups = Object.fromEntries(entries) as Record<RateLimitGroup, GroupGate>;
  }

  /** The pacer of one group. */
  group(group: RateLimitGroup): GroupGate {
    return this.groups[group];
  }

  /** Waits for a slot in `group`. */
  acquire(group: RateLimitGroup, options?: CallOptions): Promise<Permit> {
    return this.groups[group].acquire(options);
  }
}

/** A numeric response header (e.g. `x-rate-limit-remaining`); undefined when absent or not a number. */
export function headerNumber(headers: Headers | undefined, name: string): number | undefined {
  const raw = headers?.get(name);
  if (raw === null || raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}
