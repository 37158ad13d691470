/**
 * functions/archive.ts as deployed, on the archive harness: the module imported with a cold
 * start's environment, credentials and session in a fake Secrets Manager, and the client built
 * from them with the hooks and Medium safety the handler asks for.
 */
import type { ArchiveDependencies, createHandler } from '../../../functions/archive.ts';
import {
  createRingCentralFromSecrets,
  type RingCentralProviderOptions,
} from '../../../lib/aws/ringcentral.ts';
import { createSecretsStore } from '../../../lib/aws/secrets.ts';
import type { ReservedClientOptions } from '../../../lib/runtime/function-context.ts';
import { fakeSecretsManager } from '../../support/aws-fakes.ts';
import { loginSession } from '../../support/login-session.ts';
import { importWithEnvironment } from '../functions/events-harness.ts';
import { ARCHIVE_BUCKET, type ArchiveHarness, START_DATE } from './archive-harness.ts';

/** The handler, and `restore()` to put the Secrets Manager client back. */
export interface ArchiveFunction {
  handler: ReturnType<typeof createHandler>;
  restore(): void;
}

/** What a test sets beyond the harness's stores. */
export interface ArchiveFunctionOptions {
  /** Dependencies besides the client and the harness's stores (e.g. `mediumReserve`). */
  dependencies?: Pick<ArchiveDependencies, 'mediumReserve' | 'concurrency' | 'custody'>;
  /** Environment beyond the required settings (e.g. `POWERTOOLS_LOG_LEVEL`). */
  environment?: Record<string, string>;
  /** Sees the options of every client the handler asks for. */
  onClient?(options: ReservedClientOptions): void;
}

/** Builds the archive function's handler over the harness; call `restore()` when done. */
export async function createArchiveFunction(
  harness: ArchiveHarness,
  options: ArchiveFunctionOptions = {},
): Promise<ArchiveFunction> {
  const secrets = fakeSecretsManager({
    'archive/credentials': {
      ...harness.emulator.credentials,
      server: harness.emulator.url,
      mediaServer: harness.emulator.mediaUrl,
    },
    'archive/session': await loginSession(harness.emulator),
  });
  try {
    const fromSecrets: RingCentralProviderOptions = {
      store: createSecretsStore({ client: secrets.client, maxAgeSeconds: 1 }),
      credentialsSecretId: 'archive/credentials',
      sessionSecretId: 'archive/session',
    };
    // The module validates its environment at import, as a cold start would.
    const archiveModule = await importWithEnvironment(
      () => import('../../../functions/archive.ts'),
      {
        STATE_TABLE_NAME: harness.tableName,
        CREDENTIALS_SECRET_ID: 'archive/credentials',
        SESSION_SECRET_ID: 'archive/session',
        ARCHIVE_BUCKET_NAME: ARCHIVE_BUCKET,
        AWS_REGION: 'us-east-1',
        POWERTOOLS_METRICS_DISABLED: 'true',
        ...options.environment,
      },
    );
    const handler = archiveModule.createHandler({
      ringCentral: (clientOptions) => {
        options.onClient?.(clientOptions);
        return createRingCentralFromSecrets({
          ...fromSecrets,
          hooks: clientOptions.hooks,
          limits: { safety: clientOptions.safety },
        });
      },
      objects: harness.objects,
      cursors: harness.cursors,
      locators: harness.locators,
      registry: harness.registry,
      startDate: START_DATE,
      ...options.dependencies,
    });
    return { handler, restore: () => secrets.restore() };
  } catch (error) {
    secrets.restore();
    throw error;
  }
}
