/**
 * functions/archive.ts end to end: credentials and session from the fake Secrets Manager, the
 * client from them, S3 on s3rver, cursors on dynalite, the deadline from the Lambda context.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createHandler } from '../../../functions/archive.ts';
import { messageKey } from '../../../lib/archive/layout.ts';
import { createRingCentralFromSecrets } from '../../../lib/aws/ringcentral.ts';
import { createSecretsStore } from '../../../lib/aws/secrets.ts';
import type { MessageRecord } from '../../../lib/ringcentral/index.ts';
import { type FakeSecretsManager, fakeSecretsManager } from '../../support/aws-fakes.ts';
import { lambdaContext } from '../../support/events.ts';
import { importWithEnvironment, loginSession } from '../functions/events-harness.ts';
import {
  type ArchiveHarness,
  compareArchive,
  START_DATE,
  startArchiveHarness,
} from './archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from './emulator-extensions.ts';

const EXTENSION = EMULATOR_USER_EXTENSIONS[0] ?? '101001';

describe('the archive function', () => {
  let harness: ArchiveHarness;
  let secrets: FakeSecretsManager;
  let handler: ReturnType<typeof createHandler>;
  const safeties: number[] = [];

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: { enabled: true, windowScale: 0.05 },
      mailbox: { seed: 3, extensions: 1, messagesPerExtension: 30, maxAttachmentBytes: 10_000 },
    });
    await harness.register([EXTENSION]);
    secrets = fakeSecretsManager({
      'archive/credentials': {
        ...harness.emulator.credentials,
        server: harness.emulator.url,
        mediaServer: harness.emulator.mediaUrl,
      },
      'archive/session': await loginSession(harness.emulator),
    });
    const store = createSecretsStore({ client: secrets.client, maxAgeSeconds: 1 });
    // The module validates its environment at import, as a cold start would.
    const archiveModule = await importWithEnvironment(
      () => import('../../../functions/archive.ts'),
      {
        STATE_TABLE_NAME: harness.tableName,
        CREDENTIALS_SECRET_ID: 'archive/credentials',
        SESSION_SECRET_ID: 'archive/session',
        ARCHIVE_BUCKET_NAME: 'archive-bucket',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
    );
    handler = archiveModule.createHandler({
      ringCentral: ({ hooks, safety }) => {
        safeties.push(safety.Medium);
        return createRingCentralFromSecrets({
          store,
          credentialsSecretId: 'archive/credentials',
          sessionSecretId: 'archive/session',
          hooks,
          limits: { safety },
        });
      },
      objects: harness.objects,
      cursors: harness.cursors,
      locators: harness.locators,
      registry: harness.registry,
      startDate: START_DATE,
      mediumReserve: 0.3,
    });
  });

  afterAll(async () => {
    secrets.restore();
    await harness.stop();
  });

  it('stops before the invocation runs out of time, then completes on the next run', async () => {
    // Prepare
    const batch = { extensionIds: [EXTENSION] };
    harness.emulator.setFaults({ latencyMs: 60 });
    const remainingMs = 3_500;

    // Act
    const started = Date.now();
    const short = await handler(batch, lambdaContext({ remainingMs }));
    const elapsed = Date.now() - started;
    harness.emulator.setFaults({});
    const full = await handler(batch, lambdaContext({ remainingMs: 30_000 }));
    const differences = await compareArchive(harness, [EXTENSION]);
    const progress = await harness.registry.get(EXTENSION);

    // Assess
    expect(elapsed).toBeLessThan(remainingMs);
    expect(short.runs[0]?.stoppedAtDeadline).toBe(true);
    expect(short.runs[0]?.cursorAdvanced).toBe(false);
    expect(full.runs[0]?.complete).toBe(true);
    expect(full.runs[0]?.cursorAdvanced).toBe(true);
    // The registry says through when: the cursor's syncTime of the complete run.
    expect(progress?.completeThrough).toBe(full.runs[0]?.syncTime);
    expect(progress?.lastError).toBeUndefined();
    expect(differences.missingMessages).toEqual([]);
    expect(differences.badAttachments).toEqual([]);
    // 30% of the Medium window (40 requests) stays free for interactive sends.
    expect(safeties).toEqual([12, 12]);
  });

  it('archives the message ids a webhook hands over without touching the cursor', async () => {
    // Prepare
    const before = await harness.cursors.get(EXTENSION);
    const [arrived] = harness.emulator.mailbox.receive(EXTENSION, {
      type: 'Fax',
      from: { phoneNumber: '+16505550100' },
      to: [{ phoneNumber: '+16505550111' }],
      attachments: [{ type: 'RenderedDocument', contentType: 'application/pdf', size: 12_345 }],
    });
    if (!arrived) throw new Error('No message received');

    // Act
    const outcome = await handler(
      { extensionId: EXTENSION, messageIds: [arrived.id] },
      lambdaContext({ remainingMs: 20_000 }),
    );
    const after = await harness.cursors.get(EXTENSION);
    const archived = await harness.objects.getText(messageKey(arrived as unknown as MessageRecord));

    // Assess
    expect(outcome.runs[0]?.mode).toBe('messages');
    expect(outcome.runs[0]?.archivedMessages).toBe(1);
    expect(outcome.runs[0]?.storedAttachments).toBe(1);
    expect(archived).toContain(`"id": "${arrived.id}"`);
    expect(after).toEqual(before);
  });
});
