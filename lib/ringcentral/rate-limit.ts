import type { CallOptions } from './deadline.ts';
import { throwIfDone } from './deadline.ts';
import { AbortedError, DeadlineExceededError } from './errors.ts';
import type { GroupLimit, RateLimitGroup } from './rate-limit-groups.ts';
import { DEFAULT_GROUP_LIMITS, RATE_LIMIT_GROUPS } from './rate-limit-groups.ts';
import { penaltyWaitMs } from './rate-limit-penalty.ts';
import { Queue, SlidingMax } from './rate-limit-window.ts';

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

/** Timing slack never below this: covers timer lateness on a busy event loop. */
const MIN_GRACE_MS = 25;

interface SentEntry {
  sentAt: number;
  state: 'in-flight' | 'done' | 'cancelled';
}

interface Grant {
  seq: number;
  claim: boolean;
  sentAt: number;
  /** Own exchanges completed before this one was sent: those arrived before it did. */
  completedBefore: number;
  /** Penalties imposed before it was sent: a 429 for a request of the current epoch is a refused probe. */
  epoch: number;
  entry: SentEntry;
  settled: boolean;
}

interface Waiter {
  options: CallOptions | undefined;
  resolve: (permit: Permit) => void;
  reject: (error: Error) => void;
  reported: WaitReason | undefined;
  dispose: () => void;
}

type Decision =
  | { ok: true; claim: boolean }
  | { ok: false; reason: WaitReason; wakeAt: number | undefined };

/**
 * Paces one usage-plan group ahead of time so that normal operation never sees a 429, also when
 * other processes spend the same user's budget.
 *
 * The server keeps a sliding log per user+app+group: a request is counted when it ARRIVES, at
 * server time a, and leaves the log at a + W. A response reports Limit, Remaining and Window
 * as of that arrival. This client knows, for each of its requests, the send time s and the
 * response time r, and a lies between them. Hence:
 *
 * - Own requests. A request occupies a slot from its send until r + W: at r + W its entry has
 *   surely left the server's log (a <= r), whatever the clocks say, because only durations
 *   measured on this client's clock are used.
 * - Others' usage. A response R says the log held U = Limit - Remaining entries at a_R
 *   (Remaining after counting R, as RingCentral and the local server report it; if a response
 *   ever shows fewer entries than this client surely has in the log, Remaining is taken to be
 *   reported before counting and U is corrected by one from then on). Of these, this client's
 *   own entries are surely those answered before R was sent (they arrived before a_R) and sent
 *   less than W before r_R (not yet expired at a_R); everything else in U is counted as someone
 *   else's. That is an upper bound of the others' usage at a_R, never an underestimate.
 * - The reserve. Other processes running this pacer re-use their own freed slots (below), so
 *   their usage dips for a moment whenever one of their requests expires (between a + W on the
 *   server and their re-send after r + W). A reading taken in such a dip would show free slots
 *   that are not free. So the reserve kept for others is the LARGEST estimate seen in the last
 *   window (each reading held until r_R + W + hold margin), not the latest one.
 * - Re-use. When one of this client's slots frees (r + W) and a request is waiting, that request
 *   takes the slot at once, whatever the estimates say: this client's usage never exceeds what
 *   it held before. A freed slot not re-used within a grace period is given up. The hold margin
 *   on the other side covers the grace plus a round trip, so the others still reserve the slot
 *   when the re-used request arrives.
 * - Claims. A request beyond the held slots is a claim on the free budget
 *   (Limit - safety - held - reserve - others' recent growth). Claims sent since the newest
 *   reading may number at most half of the budget that was free at that reading, so two
 *   processes discovering the same free slots at the same moment together take at most all of
 *   them; others' growth between two readings is added to the reserve for a round trip, as their
 *   claims still in flight are invisible to any reading. The last free slot is claimed only by
 *   a client alone in the group, or by the one of two that holds fewer slots (it sees the other
 *   at more than its own level; the other sees the opposite), so it is used without both taking
 *   it. Without a reading from the last window a client knows nothing and probes one request at
 *   a time.
 * - Penalties. A 429 blocks the group for Retry-After; a refused probe waits longer, with a
 *   growing random extra ({@link penaltyWaitMs}), so that several processes stop restarting each
 *   other's penalty. Every wait is bounded by the caller's deadline: a request whose deadline
 *   falls before the group can open fails at once.
 *
 * The timing slack (grace and hold margin) is measured, not tuned: it is the slowest exchange of
 * the last window, at least 25 ms. Every operation is O(1) amortised.
 */
export class GroupPacer {
  readonly group: RateLimitGroup;
  private limit: number;
  private windowMs: number;
  private readonly safety: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly onWait: ((info: PacerWaitInfo) => void) | undefined;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  private seq = 0;
  private inFlight = 0;
  /** When each answered own request leaves the window (r + W), in answer order. */
  private readonly answered = new Queue<number>();
  /** Own slots freed and not yet re-used: the moment each freed. */
  private readonly freed = new Queue<number>();
  /** Own sends in send order, pruned once sent more than a window ago. */
  private readonly sent = new Queue<SentEntry>();
  private answeredInSent = 0;
  private completedTotal = 0;
  /** Claims in flight, in grant order, and how many of them were sent after the newest reading. */
  private readonly claims = new Queue<Grant>();
  private unobservedClaims = 0;
  private readingSeq = 0;
  private readingAt = Number.NEGATIVE_INFINITY;
  private readonly reserve = new SlidingMax();
  private readonly growth = new SlidingMax();
  private readonly slowest = new SlidingMax();
  private lastOthers = 0;
  private countOffset = 0;
  private blockedUntil = 0;
  private consecutive429 = 0;
  private penaltyEpoch = 0;

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
  }

  /** Waits (FIFO, bounded by the caller's deadline or signal) for a slot in this group. */
  acquire(options?: CallOptions): Promise<Permit> {
    throwIfDone(options, `${this.group} request`);
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = {
        options,
        resolve,
        reject,
        reported: undefined,
        dispose: () => {},
      };
      const signal = options?.signal;
      if (signal) {
        const onAbort = (): void => {
          this.remove(waiter);
          reject(new AbortedError(`Waiting for the ${this.group} rate-limit group was aborted`));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.dispose = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(waiter);
      this.pump();
    });
  }

  /**
   * Blocks the group after a 429 with Retry-After `ms`: for `ms` after the first 429, longer
   * (with jitter) after a refused probe. Everything known about the window is dropped: the
   * group starts again with one probe.
   */
  penalize(ms: number, refusedProbe = true): void {
    const now = this.now();
    if (refusedProbe) {
      // Sent after the previous penalty: a refused probe. Others of an earlier burst are not.
      this.consecutive429 += 1;
      this.penaltyEpoch += 1;
    }
    const wait = penaltyWaitMs(ms, Math.max(1, this.consecutive429), this.random);
    this.blockedUntil = Math.max(this.blockedUntil, now + wait);
    // The penalty outlasts what was known: re-learn from a probe once it is over.
    this.freed.clear();
    this.reserve.clear();
    this.growth.clear();
    this.readingAt = Number.NEGATIVE_INFINITY;
    this.pump();
  }

  /** Current state, for errors and hooks. */
  snapshot(): GroupSnapshot {
    const now = this.now();
    this.prune(now);
    return {
      limit: this.limit,
      windowMs: this.windowMs,
      ownInWindow: this.held(),
      inFlight: this.inFlight,
      othersEstimate: this.reserve.max(now),
      level: this.held() + this.freed.length,
      blockedUntil: this.blockedUntil,
      consecutiveRateLimited: this.consecutive429,
    };
  }

  private held(): number {
    return this.inFlight + this.answered.length;
  }

  /** The slack for timer lateness and round trips: the slowest exchange of the last window. */
  private graceMs(now: number): number {
    return Math.max(MIN_GRACE_MS, this.slowest.max(now));
  }

  private prune(now: number): void {
    const grace = this.graceMs(now);
    for (let front = this.answered.peek(); front !== undefined && front <= now; ) {
      this.answered.shift();
      this.freed.push(front);
      front = this.answered.peek();
    }
    // A freed slot not re-used within the grace is given up: others may claim it from then on.
    for (let front = this.freed.peek(); front !== undefined && front + grace < now; ) {
      this.freed.shift();
      front = this.freed.peek();
    }
    for (let front = this.sent.peek(); front && front.sentAt <= now - this.windowMs; ) {
      this.sent.shift();
      if (front.state === 'done') this.answeredInSent -= 1;
      front = this.sent.peek();
    }
    for (
      let front = this.claims.peek();
      front && (front.settled || front.seq <= this.readingSeq);
    ) {
      this.claims.shift();
      front = this.claims.peek();
    }
  }

  private decide(now: number): Decision {
    if (now < this.blockedUntil) return { ok: false, reason: 'penalty', wakeAt: this.blockedUntil };
    this.prune(now);
    if (this.freed.length > 0) return { ok: true, claim: false };
    const held = this.held();
    const reserve = this.reserve.max(now);
    const free = this.limit - this.safety - held - reserve - this.growth.max(now);
    const budgetWake = (): number | undefined => {
      const candidates = [
        this.answered.peek(),
        this.reserve.nextChange(now),
        this.growth.nextChange(now),
      ].filter((at): at is number => at !== undefined);
      return candidates.length > 0 ? Math.min(...candidates) : undefined;
    };
    if (free < 1) return { ok: false, reason: 'budget', wakeAt: budgetWake() };
    const stale = this.readingAt <= now - this.windowMs;
    const base = free + this.unobservedClaims;
    let cap = stale ? 1 : Math.floor(base / 2);
    if (cap === 0 && base === 1 && (reserve === 0 || held < reserve)) cap = 1;
    if (this.unobservedClaims < cap) return { ok: true, claim: true };
    if (this.unobservedClaims > 0) return { ok: false, reason: 'in-flight', wakeAt: undefined };
    return { ok: false, reason: 'budget', wakeAt: budgetWake() };
  }

  private grant(waiter: Waiter, claim: boolean, now: number): void {
    waiter.dispose();
    if (!claim) this.freed.shift();
    this.inFlight += 1;
    const entry: SentEntry = { sentAt: now, state: 'in-flight' };
    this.sent.push(entry);
    const grant: Grant = {
      seq: ++this.seq,
      claim,
      sentAt: now,
      completedBefore: this.completedTotal,
      epoch: this.penaltyEpoch,
      entry,
      settled: false,
    };
    if (claim) {
      this.claims.push(grant);
      this.unobservedClaims += 1;
    }
    const permit: Permit = {
      group: this.group,
      complete: (outcome) => {
        if (grant.settled) return;
        this.settle(grant);
        this.complete(grant, outcome ?? {});
      },
      cancel: () => {
        if (grant.settled) return;
        this.settle(grant);
        entry.state = 'cancelled';
        // Never sent: the slot is this client's again at once.
        if (!claim) this.freed.push(this.now());
        this.pump();
      },
    };
    waiter.resolve(permit);
  }

  private settle(grant: Grant): void {
    grant.settled = true;
    this.inFlight -= 1;
    if (grant.claim && grant.seq > this.readingSeq) this.unobservedClaims -= 1;
  }

  private complete(grant: Grant, outcome: ExchangeOutcome): void {
    const now = this.now();
    const headers = outcome.headers;
    const limit = headerNumber(headers, 'x-rate-limit-limit');
    const remaining = headerNumber(headers, 'x-rate-limit-remaining');
    const windowSeconds = headerNumber(headers, 'x-rate-limit-window');
    if (limit !== undefined && limit > 0) this.limit = limit;
    if (windowSeconds !== undefined && windowSeconds > 0) this.windowMs = windowSeconds * 1000;
    this.slowest.add(now - grant.sentAt, now + this.windowMs);
    this.prune(now);
    if (outcome.status === 429) {
      // Refused: not counted by the server, so the slot is not held.
      grant.entry.state = 'cancelled';
      this.penalize(outcome.penaltyMs ?? 0, grant.epoch === this.penaltyEpoch);
      return;
    }
    if (outcome.status !== undefined) this.consecutive429 = 0;
    grant.entry.state = 'done';
    this.completedTotal += 1;
    if (grant.sentAt > now - this.windowMs) this.answeredInSent += 1;
    // Answered now, so surely out of the server's log at now + W.
    this.answered.push(now + this.windowMs);
    if (remaining !== undefined && outcome.status !== undefined) {
      this.read(grant, remaining, now);
    }
    this.pump();
  }

  /** Takes a response's Remaining as a reading of the group's shared log. */
  private read(grant: Grant, remaining: number, now: number): void {
    // Own requests surely in the log at this one's arrival: answered before it was sent and sent
    // less than a window before its answer, plus itself. A strict lower bound, so the others'
    // estimate is an upper bound; siblings in flight inflate it (see the report: known cost).
    const answeredSince = this.completedTotal - 1 - grant.completedBefore;
    const surelyOwn = Math.max(0, this.answeredInSent - 1 - answeredSince) + 1;
    let counted = this.limit - remaining + this.countOffset;
    if (counted < surelyOwn && this.countOffset === 0) {
      // Fewer entries than this client surely has: Remaining is reported before counting.
      this.countOffset = 1;
      counted += 1;
    }
    const others = Math.max(0, counted - surelyOwn);
    const margin = 2 * this.graceMs(now);
    this.reserve.add(others, now + this.windowMs + margin);
    if (others > this.lastOthers && grant.seq > this.readingSeq) {
      // Others are claiming: as much again may be in flight, unseen by this reading.
      this.growth.add(others - this.lastOthers, now + margin);
    }
    if (grant.seq > this.readingSeq) {
      this.lastOthers = others;
      this.readingSeq = grant.seq;
      this.readingAt = now;
      // Claims sent before this reading's request are no longer unobserved.
      for (let front = this.claims.peek(); front && front.seq <= grant.seq; ) {
        this.claims.shift();
        if (!front.settled) this.unobservedClaims -= 1;
        front = this.claims.peek();
      }
    }
  }

  private remove(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index !== -1) this.queue.splice(index, 1);
    waiter.dispose();
    this.pump();
  }

  private pump(): void {
    const now = this.now();
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const decision = this.decide(now);
      if (decision.ok) {
        this.queue.shift();
        this.grant(head, decision.claim, now);
        continue;
      }
      // Nobody behind the head can be served before the head: fail everyone whose deadline
      // falls before the earliest moment a slot can open, instead of letting them sleep.
      const wakeAt = decision.wakeAt;
      for (const waiter of [...this.queue]) {
        const deadline = waiter.options?.deadline;
        const hopeless =
          deadline !== undefined &&
          (deadline <= now || (wakeAt !== undefined && wakeAt > deadline));
        if (hopeless) {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          waiter.dispose();
          const waitMs = wakeAt === undefined ? undefined : wakeAt - now;
          waiter.reject(
            new DeadlineExceededError(
              `The ${this.group} rate-limit group is ${decision.reason === 'penalty' ? 'in a 429 penalty' : 'out of budget'}${waitMs === undefined ? '' : ` for ${Math.ceil(waitMs)} ms`}; the deadline comes first`,
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
      for (const waiter of this.queue) {
        const deadline = waiter.options?.deadline;
        if (deadline !== undefined) nextAt = Math.min(nextAt, deadline);
      }
      this.schedule(nextAt, now);
      return;
    }
    this.schedule(Number.POSITIVE_INFINITY, now);
  }

  private schedule(at: number, now: number): void {
    if (at === this.timerAt && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (!Number.isFinite(at)) return;
    // setTimeout may fire up to 1 ms early; a slot must not be used before it has freed.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, Math.ceil(at - now) + 1),
    );
  }
}

/** One pacer per group, shared by every operation of a client. */
export class RateLimiter {
  private readonly groups: Record<RateLimitGroup, GroupPacer>;

  constructor(options: PacerOptions = {}) {
    const now = options.now ?? Date.now;
    const safetyFor = (group: RateLimitGroup): number =>
      typeof options.safety === 'number' ? options.safety : (options.safety?.[group] ?? 0);
    const entries = RATE_LIMIT_GROUPS.map(
      (group) =>
        [
          group,
          new GroupPacer(
            group,
            options.groups?.[group] ?? DEFAULT_GROUP_LIMITS[group],
            safetyFor(group),
            now,
            options.onWait,
            options.random,
          ),
        ] as const,
    );
    this.groups = Object.fromEntries(entries) as Record<RateLimitGroup, GroupPacer>;
  }

  /** The pacer of one group. */
  group(group: RateLimitGroup): GroupPacer {
    return this.groups[group];
  }

  /** Waits for a slot in `group`. */
  acquire(group: RateLimitGroup, options?: CallOptions): Promise<Permit> {
    return this.groups[group].acquire(options);
  }
}

function headerNumber(headers: Headers | undefined, name: string): number | undefined {
  const raw = headers?.get(name);
  if (raw === null || raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}
