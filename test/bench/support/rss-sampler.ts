/** Memory figures of one measured stretch, in bytes. */
export interface RssReport {
  /** RSS when sampling started. */
  baselineBytes: number;
  /** Highest sampled RSS, or the kernel's max RSS if that was higher (it catches peaks between samples). */
  peakBytes: number;
  /** peak - baseline. */
  deltaBytes: number;
  samples: number;
  /** `process.resourceUsage().maxRSS` at the end (lifetime high-water mark of the process). */
  maxRssBytes: number;
}

/** Samples this process's RSS on a timer; `stop()` returns baseline, peak and delta. */
export interface RssSampler {
  stop(): RssReport;
}

/**
 * Starts sampling `process.memoryUsage.rss()` every `intervalMs` (default 20 ms). The kernel's
 * maxRSS is only used for the peak when it rose during sampling, since it also remembers
 * whatever happened before the baseline (module loading, warm-up).
 */
export function startRssSampler(
  intervalMs = 20,
  options: { collectGarbage?: boolean } = {},
): RssSampler {
  // With a collection before each sample, the figures show live memory rather than garbage
  // awaiting collection (needs --expose-gc).
  const collect = options.collectGarbage ? () => globalThis.gc?.() : () => {};
  const baselineBytes = process.memoryUsage.rss();
  const maxRssAtStart = process.resourceUsage().maxRSS * 1024;
  let peak = baselineBytes;
  let samples = 1;
  const timer = setInterval(() => {
    collect();
    const rss = process.memoryUsage.rss();
    samples += 1;
    if (rss > peak) peak = rss;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
      const maxRssBytes = process.resourceUsage().maxRSS * 1024;
      // maxRSS is a lifetime mark: it tells something about this stretch only if it moved.
      const peakBytes = maxRssBytes > maxRssAtStart ? Math.max(peak, maxRssBytes) : peak;
      return {
        baselineBytes,
        peakBytes,
        deltaBytes: peakBytes - baselineBytes,
        samples,
        maxRssBytes,
      };
    },
  };
}

/** Bytes to MiB with one decimal. */
export function toMiB(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}
