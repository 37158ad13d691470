import type {
  BudgetKey,
  BudgetWindows,
  SharedRateBudget,
  SlotClaim,
} from '../../../../lib/ringcentral/index.ts';
import {
  addUsage,
  applyClaim,
  emptyWindows,
  geometryFor,
  planClaim,
  planReading,
} from '../../../../lib/ringcentral/index.ts';

/** A shared rate budget in this process's memory (the rules of the DynamoDB one, no store), with its calls counted. */
export interface MemoryBudget extends SharedRateBudget {
  readonly calls: { claim: number; learn: number; reportPenalty: number; penaltyUntil: number };
  /** Slots granted so far, with the caller that got each. */
  readonly granted: Array<{ caller: string; sendAt: number }>;
}

/** Creates a {@link MemoryBudget}; `holdMs` as in `BudgetSettings`. */
export function createMemoryBudget(holdMs: number, now: () => number = Date.now): MemoryBudget {
  const settings = { holdMs };
  const budgets = new Map<string, BudgetWindows>();
  const penalties = new Map<string, number>();
  const id = (key: BudgetKey): string => `${key.user}|${key.group}`;
  const calls = { claim: 0, learn: 0, reportPenalty: 0, penaltyUntil: 0 };
  const granted: MemoryBudget['granted'] = [];
  return {
    calls,
    granted,
    claim: async (request: SlotClaim) => {
      calls.claim += 1;
      const at = now();
      const state = budgets.get(id(request)) ?? emptyWindows(geometryFor(request.limit, settings));
      state.penaltyUntil = penalties.get(id(request)) ?? 0;
      const pending = granted.filter(
        (slot) => slot.caller === request.caller && slot.sendAt > at,
      ).length;
      const plan = planClaim(state, { ...request, pending }, at);
      budgets.set(id(request), applyClaim(state, plan, request.caller));
      for (const slot of plan.result.slots)
        granted.push({ caller: request.caller, sendAt: slot.sendAt });
      return plan.result;
    },
    learn: async (key) => {
      calls.learn += 1;
      const state = budgets.get(id(key));
      const plan = state && planReading(state, key.reading, settings);
      if (!state || !plan) return;
      budgets.set(
        id(key),
        plan.kind === 'resize' ? plan.state : addUsage(state, plan.bucket, plan.slots),
      );
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
