import type { CallOptions } from './deadline.ts';
import { throwIfDone } from './deadline.ts';
import { AbortedError, DeadlineExceededError } from './errors.ts';
import type { GroupLimit, RateLimitGroup } from './rate-limit-groups.ts';
import { DEFAULT_GROUP_LIMITS, RATE_LIMIT_GROUPS } from './rate-limit-groups.ts';

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
}

/** What a finished exchange tells the pacer. */
export interface ExchangeOutcome {
  status?: number;
  headers?: Headers;
  /** For a 429: how long the group must stay silent. */
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
  ownInWindow: number;
  inFlight: number;
  othersEstimate: number;
  blockedUntil: number;
}

interface Send {
  seq: number;
  doneAt: number | undefined;
}

interface Reading {
  seq: number;
  at: number;
  others: number;
  /** How much others' usage grew since the previous reading: what they may still have in flight. */
  growth: number;
  /** The growth is held until a reading comes from a request sent after it was seen. */
  growthUntilSeq: number;
}

interface Waiter {
  options: CallOptions | undefined;
  resolve: (permit: Permit) => void;
  reject: (error: Error) => void;
  reported: WaitReason | undefined;
  dispose: () => void;
}

import { appendFileSync } from 'node:fs';
const DEBUG = process.env.RC_PACER_DEBUG;
function dbg(line: string): void {
  if (DEBUG) appendFileSync(`${DEBUG}-${process.pid}.log`, `${Date.now()} ${line}\n`);
}
type Decision = { ok: true } | { ok: false; reason: WaitReason; wakeAt: number | undefined };

/**
 * Paces one usage-plan group ahead of time so that normal operation never sees a 429, also when
 * other processes spend the same user's budget.
 *
 * The server keeps a sliding log per user+app+group and reports Limit, Remaining and Window.
 * This client logs its own sends; each response yields an estimate of everybody else's usage,
 * (Limit - Remaining) minus this client's sends the server had seen. That estimate is kept until a
 * newer response replaces it, or until a full window has passed since it was taken. A send is
 * allowed while own sends in the window + in flight + others' estimate stay below Limit - safety,
 * and requests sent after the newest reading may claim only half of the free slots, so two
 * clients discovering the same free budget at once do not both take all of it. The last free slot
 * is left alone while somebody else is known to be active: it is the shared margin.
 */
export class GroupPacer {
  readonly group: RateLimitGroup;
  private limit: number;
  private windowMs: number;
  private readonly safety: number;
  private readonly now: () => number;
  private readonly onWait: ((info: PacerWaitInfo) => void) | undefined;
  private sends: Send[] = [];
  private seq = 0;
  private reading: Reading | undefined;
  private blockedUntil = 0;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(
    group: RateLimitGroup,
    limit: GroupLimit,
    safety: number,
    now: () => number,
    onWait?: (info: PacerWaitInfo) => void,
  ) {
    this.group = group;
    this.limit = limit.limit;
    this.windowMs = limit.windowMs;
    this.safety = safety;
    this.now = now;
    this.onWait = onWait;
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

  /** Blocks the group for `ms` (a 429's Retry-After). */
  penalize(ms: number): void {
    const now = this.now();
    this.blockedUntil = Math.max(this.blockedUntil, now + ms);
    // After a penalty nothing is known about the window: probe with one request first.
    this.reading = {
      seq: this.seq,
      at: now - this.windowMs,
      others: 0,
      growth: 0,
      growthUntilSeq: 0,
    };
    this.pump();
  }

  /** Current state, for errors and hooks. */
  snapshot(): GroupSnapshot {
    const now = this.now();
    this.prune(now);
    return {
      limit: this.limit,
      windowMs: this.windowMs,
      ownInWindow: this.sends.length,
      inFlight: this.sends.filter((send) => send.doneAt === undefined).length,
      othersEstimate: this.othersAt(now),
      blockedUntil: this.blockedUntil,
    };
  }

  private othersAt(now: number): number {
    const reading = this.reading;
    return reading && now < reading.at + this.windowMs ? reading.others + reading.growth : 0;
  }

  private prune(now: number): void {
    this.sends = this.sends.filter(
      (send) => send.doneAt === undefined || send.doneAt + this.windowMs > now,
    );
  }

  private decide(now: number): Decision {
    if (now < this.blockedUntil) return { ok: false, reason: 'penalty', wakeAt: this.blockedUntil };
    this.prune(now);
    const reading = this.reading;
    const fresh = reading !== undefined && now < reading.at + this.windowMs;
    const others = this.othersAt(now);
    const free = this.limit - this.safety - this.sends.length - others;
    const readingSeq = reading?.seq ?? 0;
    const unobserved = this.sends.filter(
      (send) => send.doneAt === undefined && send.seq > readingSeq,
    ).length;
    const budgetWake = (): number | undefined => {
      let wakeAt = Number.POSITIVE_INFINITY;
      for (const send of this.sends) {
        if (send.doneAt !== undefined) wakeAt = Math.min(wakeAt, send.doneAt + this.windowMs);
      }
      if (fresh && others > 0 && reading) wakeAt = Math.min(wakeAt, reading.at + this.windowMs);
      return Number.isFinite(wakeAt) ? wakeAt : undefined;
    };
    if (free < 1) return { ok: false, reason: 'budget', wakeAt: budgetWake() };
    let cap: number;
    if (!fresh) {
      cap = 1;
    } else {
      const base = free + unobserved;
      cap = Math.floor(base / 2);
      if (cap === 0 && others === 0) cap = 1;
    }
    if (unobserved < cap) return { ok: true };
    if (unobserved > 0) return { ok: false, reason: 'in-flight', wakeAt: undefined };
    return { ok: false, reason: 'budget', wakeAt: budgetWake() };
  }

  private grant(waiter: Waiter): void {
    waiter.dispose();
    const send: Send = { seq: ++this.seq, doneAt: undefined };
    this.sends.push(send);
    {
      const n = this.now();
      dbg(`${this.group} GRANT seq=${send.seq} own=${this.sends.length} inflight=${this.sends.filter((x) => x.doneAt === undefined).length} others=${this.othersAt(n)} reading=${JSON.stringify(this.reading)}`);
    }
    let settled = false;
    const permit: Permit = {
      group: this.group,
      complete: (outcome) => {
        if (settled) return;
        settled = true;
        this.complete(send, outcome ?? {});
      },
      cancel: () => {
        if (settled) return;
        settled = true;
        this.sends = this.sends.filter((entry) => entry !== send);
        this.pump();
      },
    };
    waiter.resolve(permit);
  }

  private complete(send: Send, outcome: ExchangeOutcome): void {
    const now = this.now();
    send.doneAt = now;
    const headers = outcome.headers;
    const limit = headerNumber(headers, 'x-rate-limit-limit');
    const remaining = headerNumber(headers, 'x-rate-limit-remaining');
    const windowSeconds = headerNumber(headers, 'x-rate-limit-window');
    if (limit !== undefined && limit > 0) this.limit = limit;
    if (windowSeconds !== undefined && windowSeconds > 0) this.windowMs = windowSeconds * 1000;
    if (remaining !== undefined && send.seq > (this.reading?.seq ?? 0)) {
      this.prune(now);
      // Only sends already answered are surely in the server's count; an earlier send still in
      // flight may arrive later (another connection), so it is not subtracted: others may be
      // overestimated for one reading, never underestimated.
      const ownCounted = this.sends.filter(
        (entry) => entry === send || entry.doneAt !== undefined,
      ).length;
      const used = this.limit - remaining;
      const others = Math.max(0, used - ownCounted);
      // Someone else whose usage is climbing is probably still sending: requests they sent on an
      // older reading are in flight and invisible here. Assume the same growth again.
      // Those requests reach the server before any request this client sends from now on, so the
      // growth is held until a reading from such a later request replaces it.
      const prior =
        this.reading && now < this.reading.at + this.windowMs ? this.reading : undefined;
      const held = prior && send.seq <= prior.growthUntilSeq ? prior.growth : 0;
      const growth = Math.max(0, others - (prior?.others ?? 0));
      this.reading =
        growth > 0
          ? {
              seq: send.seq,
              at: now,
              others,
              growth: Math.max(growth, held),
              growthUntilSeq: this.seq,
            }
          : {
              seq: send.seq,
              at: now,
              others,
              growth: held,
              growthUntilSeq: prior?.growthUntilSeq ?? 0,
            };
    }
    dbg(`${this.group} DONE seq=${send.seq} status=${outcome.status} remaining=${remaining} own=${this.sends.length} reading=${JSON.stringify(this.reading)}`);
    if (outcome.status === 429) {
      this.penalize(outcome.penaltyMs ?? 0);
      return;
    }
    this.pump();
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
        this.grant(head);
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
