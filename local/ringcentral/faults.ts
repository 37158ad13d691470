/** Fault injection: server errors, latency, dropped downloads and 429 storms, changeable at run time. */

/** Faults to inject (see the emulator's `EmulatorOptions.faults`). */
export interface FaultOptions {
  /** 0..1 share of /restapi requests answered 503 (or 500) with a RingCentral error body. */
  errorRate?: number;
  /** Added before every response. */
  latencyMs?: number;
  /** 0..1 share of attachment/archive downloads whose socket is destroyed mid-body. */
  dropMidBodyRate?: number;
  /** Where the drop happens (default: half the body). */
  dropAfterBytes?: number;
  /** A 429 storm: every /restapi request gets 429 CMN-301 with Retry-After. */
  tooManyRequests?: boolean;
  /** The storm's Retry-After in seconds (default 1); longer than a caller's deadline, it makes the caller give up at the first 429. */
  stormRetryAfterSeconds?: number;
}

/** The current fault settings and the dice they are rolled with. */
export class Faults {
  private current: FaultOptions;
  private readonly random: () => number;

  constructor(initial: FaultOptions = {}, random: () => number = Math.random) {
    this.current = { ...initial };
    this.random = random;
  }

  /** Replaces every setting. */
  set(faults: FaultOptions): void {
    this.current = { ...faults };
  }

  /** The current settings. */
  get(): FaultOptions {
    return { ...this.current };
  }

  /** Delay to add before answering. */
  latencyMs(): number {
    return Math.max(0, this.current.latencyMs ?? 0);
  }

  /** Whether this request gets a 429 storm answer. */
  storm(): boolean {
    return this.current.tooManyRequests === true;
  }

  /** The Retry-After of a 429 storm's answers, in seconds. */
  stormRetryAfterSeconds(): number {
    return this.current.stormRetryAfterSeconds ?? 1;
  }

  /** The server error status to answer with, if this request draws one. */
  serverError(): 500 | 503 | undefined {
    const rate = this.current.errorRate ?? 0;
    if (rate <= 0 || this.random() >= rate) return undefined;
    return this.random() < 0.8 ? 503 : 500;
  }

  /** For a download of `bodyBytes`, after how many bytes to destroy the socket (if at all). */
  dropAfter(bodyBytes: number): number | undefined {
    const rate = this.current.dropMidBodyRate ?? 0;
    if (rate <= 0 || this.random() >= rate) return undefined;
    return Math.min(
      this.current.dropAfterBytes ?? Math.floor(bodyBytes / 2),
      Math.max(0, bodyBytes - 1),
    );
  }
}
