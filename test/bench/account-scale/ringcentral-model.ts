/**
 * RingCentral as the account-scale bench sees it, on the simulated clock: one user's documented
 * budgets (Light 50, Medium 40, Heavy 10 per 60 s window), spent through one shared budget as the
 * deployed fleet does (lib/ringcentral/shared-budget.ts: every container and worker claims from
 * the same windows, and one 429 stops all of them for the penalty), with Medium's reserve for
 * sends (lib/archive/budget.ts), and the faults the bench injects.
 */
import { DEFAULT_GROUP_LIMITS } from '../../../lib/ringcentral/rate-limit-groups.ts';

/** The groups the bench spends. */
export type Group = 'Light' | 'Medium' | 'Heavy';
export const GROUPS: readonly Group[] = ['Light', 'Medium', 'Heavy'];

/** Who spends: the archive (export, workers, discovery) or a send. */
export type Spender = 'archive' | 'send';

/** Share of Medium's window the archive leaves to sends (ARCHIVE_MEDIUM_RESERVE's default). */
export const MEDIUM_RESERVE = 0.3;
/** RingCentral's penalty after a 429 (seconds). */
export const PENALTY_SECONDS = 60;

/** Faults on the simulated clock: [from, to) seconds. */
export interface Faults {
  serverErrors?: { from: number; to: number; rate: number };
  storm?: { from: number; to: number };
}

/** What one request came to. */
export type Outcome = 'ok' | 'wait' | 'retry';

/** The budget windows and the counts the bench reports. */
export class RingCentralModel {
  /** Seconds of the requests of each group in the current window. */
  private readonly windows: Record<Group, number[]> = { Light: [], Medium: [], Heavy: [] };
  private penaltyUntil = -1;
  readonly requests: Record<Group, number> = { Light: 0, Medium: 0, Heavy: 0 };
  readonly byPurpose = new Map<string, Record<Group, number>>();
  /** 429s RingCentral answered: during the injected storm, and outside it (must stay 0). */
  readonly rateLimited = { storm: 0, ours: 0 };
  serverErrors = 0;

  constructor(
    private readonly faults: Faults,
    private readonly random: () => number,
  ) {}

  /** The requests of `group` the windows allow `spender` now. */
  private room(group: Group, spender: Spender, now: number): number {
    const window = this.windows[group];
    while (window.length > 0 && (window[0] as number) <= now - 60) window.shift();
    const limit = DEFAULT_GROUP_LIMITS[group].limit;
    const share = group === 'Medium' && spender === 'archive' ? 1 - MEDIUM_RESERVE : 1;
    return Math.floor(limit * share) - window.length;
  }

  /**
   * One request at `now`: `wait` when the budget has no room (nothing is sent), `retry` when it
   * was sent and failed (a 5xx, or a 429 that starts the penalty for everyone), `ok` otherwise.
   */
  request(group: Group, spender: Spender, purpose: string, now: number): Outcome {
    if (now < this.penaltyUntil || this.room(group, spender, now) <= 0) return 'wait';
    this.windows[group].push(now);
    this.requests[group] += 1;
    const counts = this.byPurpose.get(purpose) ?? { Light: 0, Medium: 0, Heavy: 0 };
    counts[group] += 1;
    this.byPurpose.set(purpose, counts);
    const { storm, serverErrors } = this.faults;
    if (storm && now >= storm.from && now < storm.to) {
      this.rateLimited.storm += 1;
      this.penaltyUntil = now + PENALTY_SECONDS;
      return 'retry';
    }
    if (serverErrors && now >= serverErrors.from && now < serverErrors.to) {
      if (this.random() < serverErrors.rate) {
        this.serverErrors += 1;
        return 'retry';
      }
    }
    return 'ok';
  }
}

/** Lambda invocations and GB-seconds, by function. */
export class LambdaMeter {
  readonly invocations = new Map<string, number>();
  readonly gbSeconds = new Map<string, number>();

  record(name: string, memoryMb: number, seconds: number): void {
    this.invocations.set(name, (this.invocations.get(name) ?? 0) + 1);
    this.gbSeconds.set(name, (this.gbSeconds.get(name) ?? 0) + (memoryMb / 1024) * seconds);
  }

  total(): { invocations: number; gbSeconds: number } {
    const sum = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);
    return { invocations: sum(this.invocations), gbSeconds: sum(this.gbSeconds) };
  }
}
