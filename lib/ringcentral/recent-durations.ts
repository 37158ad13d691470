/**
 * How long a store round trip takes lately, as a high quantile of the last few samples rather
 * than an average: on a loaded machine claims and reads take 0.2 s one moment and several
 * seconds the next, and whatever is planned from the estimate (a slot's send time after the
 * claim is answered, a penalty read ahead of a due slot) must hold for most round trips, not
 * for half of them.
 */
export class RecentDurations {
  private readonly samples: number[] = [];

  /**
   * @param size samples kept.
   * @param quantile the share of recent round trips the estimate covers, in (0, 1].
   */
  constructor(
    private readonly size = 16,
    private readonly quantile = 0.9,
  ) {}

  /** Records one duration (ms). */
  add(ms: number): void {
    this.samples.push(Math.max(0, ms));
    if (this.samples.length > this.size) this.samples.shift();
  }

  /** The estimate (ms): most round trips lately took no longer; 0 before the first sample. */
  get high(): number {
    return this.at(this.quantile);
  }

  /** The median (ms): what a round trip takes as a rule; 0 before the first sample. */
  get typical(): number {
    return this.at(0.5);
  }

  private at(quantile: number): number {
    if (this.samples.length === 0) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] ?? 0;
  }
}
