import type { CallOptions } from './deadline.ts';
import { RateBudgetExhaustedError, RingCentralError } from './errors.ts';
import type {
  ExchangeOutcome,
  GroupSnapshot,
  PacerWaitInfo,
  Permit,
  WaitReason,
} from './rate-limit.ts';
// rate-limit.ts imports this module too; headerNumber is only called after both have loaded.
import { headerNumber } from './rate-limit.ts';
import type { GroupLimit, RateLimitGroup } from './rate-limit-groups.ts';
import { RecentDurations } from './recent-durations.ts';
import type { ClaimResult, SharedRateBudget } from './shared-budget.ts';
import type { Waiter } from './waiter-queue.ts';
import { WaiterQueue, WakeTimer } from './waiter-queue.ts';

/** A shared budget for every group of one client (see {@link SharedRateBudget}). */
export interface SharedBudgetOptions {
  budget: SharedRateBudget;
  /** The RingCentral user+app whose budget it is, the same in every process, e.g. `{clientId}:{extensionId}`. */
  user: string;
  /** This process (container), for fair share; a random id by default. */
  caller?: string;
  /**
   * Most slots asked for in one claim (one store write); default 10. A claim for fewer waiters
   * asks for the rest as spare slots, which an ample budget grants as a lease for this
   * process's next requests (`SlotClaim.spare`).
   */
  maxSlotsPerClaim?: number;
  /**
   * A reserved slot whose knowledge of penalties is older than this is sent only after the
   * penalty is read again (another process may have met a 429 meanwhile); default 250 ms.
   */
  penaltyCheckMs?: number;
  /** Failures to report a penalty or a reading (the send itself goes on). */
  onError?: (error: unknown) => void;
}

/** A slot claimed from the shared budget and not yet used. */
interface Reservation {
  sendAt: number;
  sendBy: number;
  /** When the penalty this slot was granted under was known (epoch ms). */
  knownAt: number;
}

const DEFAULT_MAX_SLOTS_PER_CLAIM = 10;
const DEFAULT_PENALTY_CHECK_MS = 250;
/** Pause before claiming again after a claim that granted nothing and named no time. */
const EMPTY_CLAIM_PAUSE_MS = 100;

/**
 * The in-process pacer of one group over a {@link SharedRateBudget}: it queues this process's
 * requests (FIFO, each bounded by its deadline or signal), claims slots for them from the
 * shared budget several at a time, sends each in its slot, and tells the budget what the
 * responses said (limits, 429 penalties) so every process of the user honours them.
 *
 * A request whose deadline comes before any slot the budget can grant fails at once with
 * {@link RateBudgetExhaustedError} (with the time a slot may be free), never sleeping into its
 * deadline and never sent into a penalty.
 */
export class SharedGroupPacer {
  readonly group: RateLimitGroup;
  private limit: GroupLimit;
  private readonly shared: Required<Omit<SharedBudgetOptions, 'onError'>> &
    Pick<SharedBudgetOptions, 'onError'>;
  private readonly now: () => number;
  private readonly onWait: ((info: PacerWaitInfo) => void) | undefined;
  private readonly queue: WaiterQueue;
  /** Claimed slots, earliest first. */
  private pool: Reservation[] = [];
  private claiming = false;
  /** No new claim before this (after a claim that granted nothing). */
  private claimPausedUntil = 0;
  private penaltyReading: Promise<void> | undefined;
  private penaltyKnownAt = Number.NEGATIVE_INFINITY;
  private blockedUntil = 0;
  private inFlight = 0;
  private consecutiveRateLimited = 0;
  /** How long claims take lately (most of them). */
  private readonly claims = new RecentDurations();
  /** How long exchanges take lately (most of them), from the grant to the response. */
  private readonly exchanges = new RecentDurations();
  /** How long penalty reads take lately (most of them). */
  private readonly reads = new RecentDurations();
  private readonly wake = new WakeTimer(() => this.pump());

  constructor(
    group: RateLimitGroup,
    limit: GroupLimit,
    shared: SharedBudgetOptions,
    now: () => number,
    onWait?: (info: PacerWaitInfo) => void,
  ) {
    this.group = group;
    this.limit = { ...limit };
    this.shared = {
      caller: shared.caller ?? `${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
      maxSlotsPerClaim: shared.maxSlotsPerClaim ?? DEFAULT_MAX_SLOTS_PER_CLAIM,
      penaltyCheckMs: shared.penaltyCheckMs ?? DEFAULT_PENALTY_CHECK_MS,
      ...shared,
    };
    this.now = now;
    this.onWait = onWait;
    this.queue = new WaiterQueue(`the ${group} rate budget`, () => this.pump());
  }

  /** Waits (FIFO, bounded by the caller's deadline or signal) for a slot of the shared budget. */
  acquire(options?: CallOptions): Promise<Permit> {
    return this.queue.wait(options, `${this.group} request`);
  }

  /** Current state, for errors and hooks. */
  snapshot(): GroupSnapshot {
    return {
      limit: this.limit.limit,
      windowMs: this.limit.windowMs,
      ownInWindow: this.inFlight + this.pool.length,
      inFlight: this.inFlight,
      othersEstimate: 0,
      level: this.pool.length,
      blockedUntil: this.blockedUntil,
      consecutiveRateLimited: this.consecutiveRateLimited,
    };
  }

  private key() {
    return { user: this.shared.user, group: this.group };
  }

  private pump(): void {
    const now = this.now();
    this.pool = this.pool.filter((slot) => slot.sendBy >= now && slot.sendAt >= this.blockedUntil);
    this.serve(now);
    this.failHopeless(now);
    this.claimIfNeeded(now);
    this.scheduleNext(now);
  }

  /** Hands due slots to the waiters in order. */
  private serve(now: number): void {
    while (this.queue.length > 0) {
      const slot = this.pool[0];
      if (!slot || now < this.blockedUntil) return;
      if (slot.sendAt > now) {
        // Read the penalty ahead, so it is fresh when the slot is due.
        if (slot.sendAt - now <= this.reads.high && this.staleAt(slot, slot.sendAt))
          this.readPenalty();
        return;
      }
      if (this.staleAt(slot, now)) {
        this.readPenalty();
        return;
      }
      const head = this.queue.at(0) as Waiter;
      const deadline = head.options?.deadline;
      if (deadline !== undefined && deadline - now < this.exchanges.high) {
        // Most exchanges lately took longer than its deadline leaves: refused now (the API's 503
        // with Retry-After) instead of failing late, and the slot goes to the next request.
        const next = this.pool[1]?.sendAt ?? now + this.claims.typical;
        this.queue.refuse(head, this.exhausted(next - now, 'too little time is left to send it'));
        continue;
      }
      this.pool.shift();
      this.grant(head, slot);
    }
  }

  /**
   * Whether what this process knows of penalties is too old at `at` to send the slot: older
   * than `penaltyCheckMs`, or than a read takes lately when the store answers slower than that
   * (no knowledge can be fresher than one read).
   */
  private staleAt(slot: Reservation, at: number): boolean {
    const knownAt = Math.max(slot.knownAt, this.penaltyKnownAt);
    return at - knownAt > Math.max(this.shared.penaltyCheckMs, this.reads.high);
  }

  /** Fails every waiter whose slot (its place in the pool, or the next free one) lies past its deadline. */
  private failHopeless(now: number): void {
    let index = 0;
    for (const waiter of this.queue.list()) {
      const covered = index < this.pool.length;
      const slotAt = Math.max(this.pool[index]?.sendAt ?? now, this.blockedUntil);
      const deadline = waiter.options?.deadline;
      // Without a slot yet, a claim answered after the deadline could not help: refuse now, so
      // the refusal reaches the caller inside its deadline.
      // The median, not the high estimate: after a burst of slow claims the high one would
      // refuse most waiters, and their callers would stay away while the budget goes unused.
      const claimTooLate =
        !covered && deadline !== undefined && deadline - now <= this.claims.typical;
      if (deadline !== undefined && (deadline <= now || slotAt > deadline || claimTooLate)) {
        const waitMs = Math.max(slotAt - now, claimTooLate ? this.claims.typical : 0);
        this.queue.refuse(
          waiter,
          this.exhausted(waitMs, 'the earliest slot lies past the deadline'),
        );
        continue;
      }
      const reason: WaitReason = now < this.blockedUntil ? 'penalty' : 'budget';
      if (waiter.reported !== reason && index === 0) {
        waiter.reported = reason;
        this.onWait?.({ group: this.group, reason, waitMs: Math.max(0, slotAt - now) });
      }
      index += 1;
    }
  }

  private claimIfNeeded(now: number): void {
    const uncovered = this.queue.list(this.pool.length);
    // During a penalty a claim would only book slots the penalty voids: claim when it ends.
    if (uncovered.length === 0 || this.claiming) return;
    if (now < this.claimPausedUntil || now < this.blockedUntil) return;
    const deadlines = uncovered.map((waiter) => waiter.options?.deadline);
    const deadline = deadlines.some((value) => value === undefined)
      ? undefined
      : Math.max(...(deadlines as number[]));
    this.claiming = true;
    const claimedAt = now;
    const slots = Math.min(uncovered.length, this.shared.maxSlotsPerClaim, this.limit.limit);
    this.shared.budget
      .claim({
        ...this.key(),
        slots,
        spare: this.shared.maxSlotsPerClaim - slots,
        caller: this.shared.caller,
        limit: this.limit,
        ...(deadline === undefined ? {} : { deadline }),
      })
      .then(
        (result) => this.claimed(result, claimedAt),
        (error: unknown) => this.claimFailed(error),
      );
  }

  private claimed(result: ClaimResult, claimedAt: number): void {
    this.claiming = false;
    const now = this.now();
    this.claims.add(now - claimedAt);
    // A granted slot was written on condition that the penalty was still as read: the penalty
    // is known as of the answer. An empty answer only proves it as of the claim.
    const knownAt = result.slots.length > 0 ? now : claimedAt;
    this.penaltyKnownAt = Math.max(this.penaltyKnownAt, knownAt);
    this.blockedUntil = Math.max(this.blockedUntil, result.penaltyUntil);
    for (const slot of result.slots) this.pool.push({ ...slot, knownAt });
    this.pool.sort((a, b) => a.sendAt - b.sendAt);
    if (result.slots.length === 0) {
      this.claimPausedUntil = result.nextAt ?? now + EMPTY_CLAIM_PAUSE_MS;
      // Waiters the pool cannot cover and whose deadline falls before the next free slot.
      const nextAt = result.nextAt;
      for (const waiter of this.queue.list(this.pool.length)) {
        const deadline = waiter.options?.deadline;
        if (nextAt !== undefined && deadline !== undefined && nextAt > deadline) {
          this.queue.refuse(
            waiter,
            this.exhausted(nextAt - now, 'every slot is taken until after the deadline'),
          );
        }
      }
    }
    this.pump();
  }

  private claimFailed(error: unknown): void {
    this.claiming = false;
    // Without the shared budget nothing proves a send safe: fail the uncovered waiters.
    for (const waiter of this.queue.list(this.pool.length)) {
      this.queue.refuse(
        waiter,
        new RingCentralError(`The shared ${this.group} rate budget could not be claimed`, {
          cause: error,
        }),
      );
    }
    this.claimPausedUntil = this.now() + EMPTY_CLAIM_PAUSE_MS;
    this.pump();
  }

  private readPenalty(): void {
    if (this.penaltyReading) return;
    const readAt = this.now();
    this.penaltyReading = this.shared.budget.penaltyUntil(this.key()).then(
      (until) => {
        this.penaltyReading = undefined;
        this.reads.add(this.now() - readAt);
        this.penaltyKnownAt = Math.max(this.penaltyKnownAt, readAt);
        this.blockedUntil = Math.max(this.blockedUntil, until);
        this.pump();
      },
      (error: unknown) => {
        this.penaltyReading = undefined;
        this.claimFailed(error);
      },
    );
  }

  private grant(waiter: Waiter, slot: Reservation): void {
    this.inFlight += 1;
    // A reservation used frees this caller's fair share for the next claim.
    this.claimPausedUntil = 0;
    const sentAt = this.now();
    let settled = false;
    this.queue.grant(waiter, {
      group: this.group,
      complete: (outcome) => {
        if (settled) return;
        settled = true;
        this.inFlight -= 1;
        this.completed(outcome ?? {}, sentAt);
      },
      cancel: () => {
        if (settled) return;
        settled = true;
        this.inFlight -= 1;
        // Never sent: the slot is still good until its send-by time.
        this.pool.push(slot);
        this.pool.sort((a, b) => a.sendAt - b.sendAt);
        this.pump();
      },
    });
  }

  private completed(outcome: ExchangeOutcome, sentAt: number): void {
    const now = this.now();
    if (outcome.status !== undefined) this.exchanges.add(now - sentAt);
    const limit = headerNumber(outcome.headers, 'x-rate-limit-limit');
    const windowSeconds = headerNumber(outcome.headers, 'x-rate-limit-window');
    const remaining = headerNumber(outcome.headers, 'x-rate-limit-remaining');
    if (limit !== undefined && limit > 0) this.limit.limit = limit;
    if (windowSeconds !== undefined && windowSeconds > 0)
      this.limit.windowMs = windowSeconds * 1000;
    const report = (work: Promise<void>): void => {
      work.catch((error: unknown) => this.shared.onError?.(error));
    };
    if (outcome.status === 429) {
      this.consecutiveRateLimited += 1;
      const until = now + (outcome.penaltyMs ?? 0);
      this.blockedUntil = Math.max(this.blockedUntil, until);
      report(this.shared.budget.reportPenalty({ ...this.key(), until }));
    } else {
      if (outcome.status !== undefined) this.consecutiveRateLimited = 0;
      if (remaining !== undefined) {
        const reading = { ...this.limit, remaining, sentAt, answeredAt: now };
        report(this.shared.budget.learn({ ...this.key(), reading }));
      }
    }
    this.pump();
  }

  private exhausted(waitMs: number, why: string): RateBudgetExhaustedError {
    return new RateBudgetExhaustedError(
      `No slot of the shared ${this.group} rate budget before the deadline: ${why} (free again in about ${Math.ceil(Math.max(0, waitMs))} ms)`,
      Math.max(0, waitMs),
      { rateLimit: { group: this.group, limit: this.limit.limit } },
    );
  }

  private scheduleNext(now: number): void {
    let at = Number.POSITIVE_INFINITY;
    if (this.queue.length > 0) {
      const head = this.pool[0];
      // While the penalty is being read again, its answer wakes the queue.
      if (head && !this.penaltyReading) {
        const readAhead = this.staleAt(head, head.sendAt) ? this.reads.high : 0;
        at = Math.max(head.sendAt - readAhead, this.blockedUntil);
      }
      if (this.queue.length > this.pool.length && !this.claiming) {
        at = Math.min(at, Math.max(this.claimPausedUntil, this.blockedUntil, now));
      }
      this.queue.list().forEach((waiter, index) => {
        const deadline = waiter.options?.deadline;
        if (deadline === undefined) return;
        at = Math.min(at, index < this.pool.length ? deadline : deadline - this.claims.typical);
      });
    }
    this.wake.schedule(at, now);
  }
}
