/**
 * What the event function tests (token-refresh, webhook, subscription-keeper, alert, token day,
 * logs) share: the local RingCentral, dynalite with the state table, a fake Secrets Manager with
 * the credentials, session and webhook secrets, and loading a function module with its
 * environment set, as a cold start would.
 */
import { createSecretsStore, type SecretsStore } from '../../../lib/aws/secrets.ts';
import type { EmulatorOptions, RunningEmulator } from '../../../local/ringcentral/index.ts';
import { startEmulator } from '../../../local/ringcentral/index.ts';
import { type FakeSecretsManager, fakeSecretsManager } from '../../support/aws-fakes.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { loginSession } from '../../support/login-session.ts';

/** Secret ids of the harness. */
export const SECRET_IDS = {
  credentials: 'events/credentials',
  session: 'events/session',
  webhook: 'events/webhook',
} as const;

/** The verification token the webhook secret holds. */
export const VERIFICATION_TOKEN = 'verification-token-0123456789abcdef';

/** The running local services. */
export interface EventsHarness {
  emulator: RunningEmulator;
  dynamo: LocalDynamo;
  tableName: string;
  secrets: FakeSecretsManager;
  /** A secrets store on the fake (short cache so tests see writes). */
  store: SecretsStore;
  stop(): Promise<void>;
}

/** Options of {@link startEventsHarness}. */
export interface EventsHarnessOptions {
  emulator?: EmulatorOptions;
  /** Write a live session (a JWT login) before the test; default false (a placeholder). */
  session?: boolean;
  /** Fake every SecretsManagerClient (for modules that create their own); default true. */
  allInstances?: boolean;
}

/** Starts the local RingCentral, dynalite (with the state table) and the fake secrets. */
export async function startEventsHarness(
  options: EventsHarnessOptions = {},
): Promise<EventsHarness> {
  const emulator = await startEmulator(options.emulator ?? { rateLimits: { enabled: false } });
  const dynamo = await startDynalite();
  const tableName = await dynamo.createStateTable();
  const secrets = fakeSecretsManager(
    {
      [SECRET_IDS.credentials]: {
        ...emulator.credentials,
        server: emulator.url,
        mediaServer: emulator.mediaUrl,
      },
      // The deployment creates the session secret with a placeholder until the first refresh.
      [SECRET_IDS.session]: options.session ? await loginSession(emulator) : { pending: true },
      [SECRET_IDS.webhook]: { verificationToken: VERIFICATION_TOKEN },
    },
    { allInstances: options.allInstances ?? true },
  );
  return {
    emulator,
    dynamo,
    tableName,
    secrets,
    store: createSecretsStore({ client: secrets.client, maxAgeSeconds: 1 }),
    stop: async () => {
      secrets.restore();
      await Promise.all([emulator.stop(), dynamo.stop()]);
    },
  };
}

/** The environment every event function reads, pointed at the harness. */
export function baseEnvironment(harness: EventsHarness): Record<string, string> {
  return {
    STATE_TABLE_NAME: harness.tableName,
    CREDENTIALS_SECRET_ID: SECRET_IDS.credentials,
    SESSION_SECRET_ID: SECRET_IDS.session,
    WEBHOOK_SECRET_ID: SECRET_IDS.webhook,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: harness.dynamo.endpoint,
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

/**
 * Imports a function module with `variables` in the environment (its configuration is
 * validated at import, as at a cold start), then restores the environment.
 */
export async function importWithEnvironment<T>(
  load: () => Promise<T>,
  variables: Record<string, string | undefined>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(variables);
  try {
    return await load();
  } finally {
    apply(saved);
  }
}
