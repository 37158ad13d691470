import type {
  BudgetKey,
  BudgetRing,
  SharedRateBudget,
  SlotClaim,
} from '../../../../lib/ringcentral/index.ts';
import {
  applyClaim,
  emptyRing,
  planClaim,
  planReading,
} from '../../../../lib/ringcentral/index.ts';

/** A shared rate budget in this process's memory (the rules of the DynamoDB one, no store), with its calls counted. */
export interface MemoryBudget extends SharedRateBudget {
  readonly calls: { claim: number; learn: number; reportPenalty: number; penaltyUntil: number };
  /** Slots granted so far, with the caller that got each. */
  readonly granted: Array<{ caller: string; sendAt: number }>;
}

/** Creates a {@link MemoryBudget}; `holdMs` as in `RingSettings`. */
export function createMemoryBudget(holdMs: number, now: () => number = Date.now): MemoryBudget {
  const rings = new Map<string, BudgetRing>();
  const penalties = new Map<string, number>();
  const id = (key: BudgetKey): string => `${key.user}|${key.group}`;
  const calls = { claim: 0, learn: 0, reportPenalty: 0, penaltyUntil: 0 };
  const granted: MemoryBudget['granted'] = [];
  return {
    calls,
    granted,
    claim: async (request: SlotClaim) => {
      calls.claim += 1;
      const ring = rings.get(id(request)) ?? emptyRing(request.limit);
      ring.penaltyUntil = penalties.get(id(request)) ?? 0;
      const plan = planClaim(ring, request, now(), { holdMs });
      rings.set(id(request), applyClaim(ring, plan.updates, request.caller));
      for (const slot of plan.result.slots)
        granted.push({ caller: request.caller, sendAt: slot.sendAt });
      return plan.result;
    },
    learn: async (key) => {
      calls.learn += 1;
      const ring = rings.get(id(key));
      const next = ring && planReading(ring, key.reading);
      if (next) rings.set(id(key), next);
    },
    reportPenalty: async (key) => {
      calls.reportPenalty += 1;
      penalties.set(id(key), Math.max(penalties.get(id(key)) ?? 0, key.until));
    },
    penaltyUntil: async (key) => {
      calls.penaltyUntil += 1;
      return penalties.get(id(key)) ?? 0;
    },
  };
}
