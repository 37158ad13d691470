/**
 * A local RingCentral that does not enforce its limits and announces an ample budget in its
 * headers, and a client for it whose pacer never waits: for tests that count requests or check
 * results, not pacing.
 */
import {
  createJwtTokenSource,
  createRingCentral,
  type RingCentral,
} from '../../lib/ringcentral/index.ts';
import type { EmulatorOptions, RunningEmulator } from '../../local/ringcentral/index.ts';

/** A group's budget far beyond what a test sends. */
const AMPLE = { limit: 100_000, windowSeconds: 1 };

/** The emulator's `rateLimits`: not enforced, with the ample budget in the headers. */
export const UNENFORCED_RATE_LIMITS = {
  enabled: false,
  groups: { Light: AMPLE, Medium: AMPLE },
} satisfies EmulatorOptions['rateLimits'];

/** A client of `emulator`, logged in with its JWT, whose Light and Medium pacing never waits. */
export function unpacedRingCentral(emulator: RunningEmulator): RingCentral {
  return createRingCentral({
    server: emulator.url,
    mediaServer: emulator.mediaUrl,
    tokenSource: createJwtTokenSource({ server: emulator.url, ...emulator.credentials }),
    limits: {
      groups: {
        Light: { limit: AMPLE.limit, windowMs: 1_000 },
        Medium: { limit: AMPLE.limit, windowMs: 1_000 },
      },
    },
  });
}
