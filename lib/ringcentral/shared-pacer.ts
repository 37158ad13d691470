import type { CallOptions } from './deadline.ts';
import { throwIfDone } from './deadline.ts';
import { AbortedError, RateBudgetExhaustedError, RingCentralError } from './errors.ts';
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
import type { ClaimResult, SharedRateBudget } from './shared-budget.ts';

/** A shared budget for every group of one client (see {@link SharedRateBudget}). */
export interface SharedBudgetOptions {
  budget: SharedRateBudget;
  /** The RingCentral user+app whose budget it is, the same in every process, e.g. `{clientId}:{extensionId}`. */
  user: string;
  /** This process (container), for fair share; a random id by default. */
  caller?: string;
  /** Most slots asked for in one claim (one store write); default 10. */
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

interface Waiter {
  options: CallOptions | undefined;
  resolve: (permit: Permit) => void;
  reject: (error: Error) => void;
  reported: WaitReason | undefined;
  dispose: () => void;
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
  private readonly queue: Waiter[] = [];
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
  /** How long claims take lately (decaying maximum). */
  private claimMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

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
  }

  /** Waits (FIFO, bounded by the caller's deadline or signal) for a slot of the shared budget. */
  acquire(options?: CallOptions): Promise<Permit> {
    throwIfDone(options, `${this.group} request`);
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = { options, resolve, reject, reported: undefined, dispose: () => {} };
      const signal = options?.signal;
      if (signal) {
        const onAbort = (): void => {
          this.remove(waiter);
          reject(new AbortedError(`Waiting for the ${this.group} rate budget was aborted`));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.dispose = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(waiter);
      this.pump();
    });
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
      if (!slot || slot.sendAt > now || now < this.blockedUntil) return;
      if (now - Math.max(slot.knownAt, this.penaltyKnownAt) > this.shared.penaltyCheckMs) {
        this.readPenalty();
        return;
      }
      this.pool.shift();
      const waiter = this.queue.shift() as Waiter;
      this.grant(waiter, slot);
    }
  }

  /** Fails every waiter whose slot (its place in the pool, or the next free one) lies past its deadline. */
  private failHopeless(now: number): void {
    for (let index = 0; index < this.queue.length; ) {
      const waiter = this.queue[index] as Waiter;
      const covered = index < this.pool.length;
      const slotAt = Math.max(this.pool[index]?.sendAt ?? now, this.blockedUntil);
      const deadline = waiter.options?.deadline;
      // Without a slot yet, a claim answered after the deadline could not help: refuse now, so
      // the refusal reaches the caller inside its deadline.
      const claimTooLate = !covered && deadline !== undefined && deadline - now <= this.claimMs;
      if (deadline !== undefined && (deadline <= now || slotAt > deadline || claimTooLate)) {
        this.queue.splice(index, 1);
        waiter.dispose();
        const waitMs = Math.max(slotAt - now, claimTooLate ? this.claimMs : 0);
        waiter.reject(this.exhausted(waitMs, 'the earliest slot lies past the deadline'));
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
    const uncovered = this.queue.slice(this.pool.length);
    // During a penalty a claim would only book slots the penalty voids: claim when it ends.
    if (uncovered.length === 0 || this.claiming) return;
    if (now < this.claimPausedUntil || now < this.blockedUntil) return;
    const deadlines = uncovered.map((waiter) => waiter.options?.deadline);
    const deadline = deadlines.some((value) => value === undefined)
      ? undefined
      : Math.max(...(deadlines as number[]));
    this.claiming = true;
    const claimedAt = now;
    this.shared.budget
      .claim({
        ...this.key(),
        slots: Math.min(uncovered.length, this.shared.maxSlotsPerClaim, this.limit.limit),
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
    this.claimMs = Math.max(now - claimedAt, Math.floor(this.claimMs * 0.8));
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
      for (let index = this.pool.length; index < this.queue.length; ) {
        const waiter = this.queue[index] as Waiter;
        const deadline = waiter.options?.deadline;
        if (nextAt !== undefined && deadline !== undefined && nextAt > deadline) {
          this.queue.splice(index, 1);
          waiter.dispose();
          waiter.reject(
            this.exhausted(nextAt - now, 'every slot is taken until after the deadline'),
          );
        } else index += 1;
      }
    }
    this.pump();
  }

  private claimFailed(error: unknown): void {
    this.claiming = false;
    // Without the shared budget nothing proves a send safe: fail the uncovered waiters.
    for (const waiter of this.queue.splice(this.pool.length)) {
      waiter.dispose();
      waiter.reject(
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
    waiter.dispose();
    this.inFlight += 1;
    // A reservation used frees this caller's fair share for the next claim.
    this.claimPausedUntil = 0;
    const sentAt = this.now();
    let settled = false;
    waiter.resolve({
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

  private remove(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index !== -1) this.queue.splice(index, 1);
    waiter.dispose();
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
      if (head && !this.penaltyReading) at = Math.max(head.sendAt, this.blockedUntil);
      if (this.queue.length > this.pool.length && !this.claiming) {
        at = Math.min(at, Math.max(this.claimPausedUntil, this.blockedUntil, now));
      }
      this.queue.forEach((waiter, index) => {
        const deadline = waiter.options?.deadline;
        if (deadline === undefined) return;
        at = Math.min(at, index < this.pool.length ? deadline : deadline - this.claimMs);
      });
    }
    if (at === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (!Number.isFinite(at)) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, at - now + 1),
    );
  }
}
