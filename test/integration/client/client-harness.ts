/**
 * The client against the local RingCentral: starts the emulator on port 0 and builds a client
 * that logs in with the JWT grant, for the client's integration tests.
 */
import type {
  JwtTokenSource,
  RingCentral,
  RingCentralOptions,
} from '../../../lib/ringcentral/index.ts';
import { createJwtTokenSource, createRingCentral } from '../../../lib/ringcentral/index.ts';
import type { EmulatorOptions, RunningEmulator } from '../../../local/ringcentral/index.ts';
import { startEmulator } from '../../../local/ringcentral/index.ts';

/** A started emulator and a client logged in to it. */
export interface ClientHarness {
  emulator: RunningEmulator;
  /** The JWT token source the client uses (login, refresh, revoke). */
  tokens: JwtTokenSource;
  rc: RingCentral;
  /** Another client of the same user and app, sharing `tokens`. */
  createClient(options?: Partial<RingCentralOptions>): RingCentral;
  stop(): Promise<void>;
}

/** Starts the emulator with `emulatorOptions` and a client with `clientOptions` on top. */
export async function startClientHarness(
  emulatorOptions: EmulatorOptions = {},
  clientOptions: Partial<RingCentralOptions> = {},
): Promise<ClientHarness> {
  const emulator = await startEmulator(emulatorOptions);
  const tokens = createJwtTokenSource({ server: emulator.url, ...emulator.credentials });
  const createClient = (options: Partial<RingCentralOptions> = {}) =>
    createRingCentral({
      server: emulator.url,
      mediaServer: emulator.mediaUrl,
      tokenSource: tokens,
      ...clientOptions,
      ...options,
    });
  return { emulator, tokens, rc: createClient(), createClient, stop: () => emulator.stop() };
}
