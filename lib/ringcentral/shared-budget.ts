/**
 * The port of the rate budget every process of one RingCentral user shares (send containers,
 * archive and purge workers). RingCentral counts requests per user+app and group in a sliding
 * log, whatever process sends them, so the slots are kept in one store all of them reach; the
 * in-process pacer (`shared-pacer.ts`) claims slots here before it sends. `lib/aws` implements
 * it on DynamoDB. Nothing here knows a store.
 */
import type { GroupLimit, RateLimitGroup } from './rate-limit-groups.ts';

/** One budget: a RingCentral user+app (a stable id, never a token) and one group. */
export interface BudgetKey {
  /** E.g. `{clientId}:{extensionId}`; the same string in every process of that user. */
  user: string;
  group: RateLimitGroup;
}

/** A request for slots. */
export interface SlotClaim extends BudgetKey {
  /** Slots wanted, at least 1; fewer may be granted (fair share, deadline). */
  slots: number;
  /** The claiming process (one id per container): fair share is counted per caller. */
  caller: string;
  /** The group's budget as the caller knows it, used when the store knows none yet. */
  limit: GroupLimit;
  /** Epoch ms: no slot is granted that could only be sent after it. */
  deadline?: number;
  /**
   * Slots the caller would keep for its next requests beyond `slots` (a lease, so they need no
   * store round trip): granted only when free at once and the budget stays ample after them
   * (`spareSlots` in budget-windows.ts); an unused one lapses at its `sendBy`.
   */
  spare?: number;
}

/** One granted slot. */
export interface GrantedSlot {
  /** Epoch ms from which the request may be sent (the slot's previous request has left RingCentral's log, and no penalty runs). */
  sendAt: number;
  /** Epoch ms by which it must have been sent; a slot not used by then is lost, never late. */
  sendBy: number;
}

/** What a claim got. */
export interface ClaimResult {
  /** Granted slots, earliest first; empty when none could be had. */
  slots: GrantedSlot[];
  /**
   * The earliest moment a further slot could be had (epoch ms), when known; after claims lost to
   * other processes again and again, a moment soon to try again.
   */
  nextAt: number | undefined;
  /** Why fewer slots than asked were granted. */
  limitedBy: 'deadline' | 'share' | undefined;
  /**
   * The group's penalty end (epoch ms) as the store had it at the claim; 0 when none. When slots
   * were granted, the store still had it when the claim was answered.
   */
  penaltyUntil: number;
}

/** What one response's rate-limit headers said. */
export interface BudgetReading {
  limit: number;
  windowMs: number;
  /** `X-Rate-Limit-Remaining` after counting the request. */
  remaining: number;
  /** Epoch ms the request was sent. */
  sentAt: number;
  /** Epoch ms the response arrived (the request counts from some moment between the two). */
  answeredAt: number;
}

/**
 * A budget shared by every process of one RingCentral user and group.
 *
 * Contract: the requests sent in slots granted by {@link claim}, each sent within its
 * `[sendAt, sendBy]`, never exceed the group's limit in any window of RingCentral's sliding log,
 * whatever the number of processes claiming at once; no slot is granted inside a penalty
 * reported through {@link reportPenalty} before the claim.
 */
export interface SharedRateBudget {
  /**
   * Claims up to `slots` slots, the earliest ones free, possibly in the future (a reservation:
   * the caller waits until `sendAt`). Never grants a slot whose `sendAt` is after `deadline`.
   * Fair share: while other callers hold slots of the window, a caller holds at most
   * `limit / callers` reservations not yet due, so one busy process cannot book the window
   * ahead of the others.
   */
  claim(request: SlotClaim): Promise<ClaimResult>;
  /**
   * Keeps the budget honest: a limit or window other than the store's replaces it, and usage
   * the store does not account for (another app or client spending the same user) occupies
   * slots until it has left the window. Writes only when the reading disagrees with the store.
   */
  learn(key: BudgetKey & { reading: BudgetReading }): Promise<void>;
  /** A 429 (Retry-After until `until`, epoch ms): every holder stops until it ends. */
  reportPenalty(key: BudgetKey & { until: number }): Promise<void>;
  /** The penalty end (epoch ms, 0 when none), possibly cached for a moment. */
  penaltyUntil(key: BudgetKey): Promise<number>;
}
