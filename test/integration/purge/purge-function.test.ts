import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCursorStore } from '../../../lib/aws/cursor-store.ts';
import { createExtensionRegistry } from '../../../lib/aws/extension-registry.ts';
import { createRingCentralFromSecrets } from '../../../lib/aws/ringcentral.ts';
import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import type { ExtensionRegistry } from '../../../lib/extensions/ports.ts';
import type { MessageRecord } from '../../../lib/ringcentral/types.ts';
import { ConfigError } from '../../../lib/runtime/config.ts';
import { lambdaContext, scheduledEvent } from '../../support/events.ts';
import { type LocalS3, startS3rver } from '../../support/s3rver.ts';
import { archiveRecords } from '../../unit/purge/fixture.ts';
import {
  baseEnvironment,
  type EventsHarness,
  importWithEnvironment,
  SECRET_IDS,
  startEventsHarness,
} from '../functions/events-harness.ts';

type PurgeModule = typeof import('../../../functions/purge.ts');

const DAY_MS = 86_400_000;
const BUCKET = 'purge-function';

let harness: EventsHarness;
let s3: LocalS3;
let purgeModule: PurgeModule;
let records: MessageRecord[];
let environment: Record<string, string>;
let registry: ExtensionRegistry;
/** The one extension of the mailbox (the JWT's user). */
const EXTENSION = '101001';
const saved = new Map<string, string | undefined>();

beforeAll(async () => {
  harness = await startEventsHarness({
    session: true,
    emulator: {
      mailbox: {
        seed: 5,
        extensions: 1,
        messagesPerExtension: 120,
        maxAttachmentBytes: 4_000,
        startDate: new Date(Date.now() - 60 * DAY_MS).toISOString(),
      },
      rateLimits: { enabled: false },
    },
  });
  s3 = await startS3rver();
  await s3.createBucket(BUCKET);
  const rc = await createRingCentralFromSecrets({
    store: harness.store,
    credentialsSecretId: SECRET_IDS.credentials,
    sessionSecretId: SECRET_IDS.session,
  });
  records = [];
  for await (const page of rc.messages.list({
    dateFrom: new Date(Date.now() - 61 * DAY_MS),
    perPage: 1000,
  })) {
    records.push(...page.records);
  }
  await archiveRecords(
    createS3ObjectStore({ bucket: BUCKET, client: s3.client }),
    records,
    (record, attachmentId) => harness.emulator.mailbox.openAttachment(record.id, attachmentId),
  );
  // As the archive leaves them: the extension in the registry, its cursor under its id.
  const table = createStateTable({ tableName: harness.tableName, client: harness.dynamo.client });
  registry = createExtensionRegistry(table);
  const now = new Date().toISOString();
  await registry.putDiscovered({
    id: EXTENSION,
    type: 'User',
    status: 'Enabled',
    firstSeen: now,
    lastSeen: now,
    archived: true,
  });
  await createCursorStore(table).advance(
    EXTENSION,
    { syncToken: 'test', syncTime: new Date().toISOString() },
    0,
  );
  environment = {
    ...baseEnvironment(harness),
    // s3rver accepts only its own credentials; dynalite accepts any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    ARCHIVE_BUCKET_NAME: BUCKET,
    PURGE_RETENTION_DAYS: JSON.stringify({ Fax: 20, VoiceMail: 20, SMS: 20, Pager: 20 }),
    PURGE_HARD: 'true',
    // The run summaries are logged at info; keep the test output readable.
    LOG_LEVEL: 'WARN',
  };
  purgeModule = await importWithEnvironment(
    () => import('../../../functions/purge.ts'),
    environment,
  );
  // The SDK clients read endpoints and credentials when they first send: keep them set.
  for (const [name, value] of Object.entries(environment)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
});

afterEach(() => {
  harness.emulator.resetStats();
});

afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await s3?.stop();
  await harness?.stop();
});

function oldEnough(record: MessageRecord): boolean {
  return Date.parse(record.creationTime ?? '') < Date.now() - 20 * DAY_MS;
}

describe('the purge function', () => {
  it('is a dry run unless PURGE_DRY_RUN=false', async () => {
    // Prepare
    const handler = purgeModule.createHandler(purgeModule.dependenciesFromEnvironment(environment));

    // Act
    const result = await handler(scheduledEvent(), lambdaContext({ remainingMs: 60_000 }));
    const entry = await registry.get(EXTENSION);

    // Assess
    const expected = records.filter(oldEnough).length;
    expect(result.dryRun).toBe(true);
    // The registry's extension was purged (here: a dry run) and goes to the back of the line.
    expect(Date.parse(entry?.lastPurgeAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(result.counts).toMatchObject({ wouldDelete: expected, deleted: 0, skipped: 0 });
    expect(harness.emulator.stats().requestsByGroup.Medium).toBe(0);
    const report = await createS3ObjectStore({ bucket: BUCKET, client: s3.client }).getText(
      result.reportKey,
    );
    expect(JSON.parse(report ?? '{}')).toMatchObject({ dryRun: true, hardPurge: true });
  });

  it('deletes nothing archived whose objects lack the Object Lock retention the archive is set to, and says why', async () => {
    // Prepare: the archive written without retention, the deployment set to 30 days of it.
    const handler = purgeModule.createHandler(
      purgeModule.dependenciesFromEnvironment({
        ...environment,
        PURGE_DRY_RUN: 'false',
        ARCHIVE_RETENTION_MODE: 'COMPLIANCE',
        ARCHIVE_RETENTION_DAYS: '30',
      }),
    );

    // Act
    const result = await handler(scheduledEvent(), lambdaContext({ remainingMs: 60_000 }));

    // Assess
    expect(result.counts).toMatchObject({ wouldDelete: 0, deleted: 0 });
    expect(result.counts.skipped).toBe(records.filter(oldEnough).length);
    const report = JSON.parse(
      (await createS3ObjectStore({ bucket: BUCKET, client: s3.client }).getText(
        result.reportKey,
      )) ?? '{}',
    ) as { skipped: Array<{ reason: string }> };
    expect(new Set(report.skipped.map((skip) => skip.reason))).toEqual(
      new Set(['manifest-not-retained']),
    );
    for (const record of records) {
      expect(harness.emulator.mailbox.get(EXTENSION, record.id)?.availability).toBe('Alive');
    }
  });

  it('proves messages archived with that retention, in a bucket with Object Lock', async () => {
    // Prepare: the archive written as a deployment with 30 days of COMPLIANCE retention writes it.
    const locked = `${BUCKET}-locked`;
    await s3.createBucket(locked, { objectLock: {} });
    // A dozen of the due messages keep the test fast; the rest are not in this bucket at all.
    const retained = records.filter(oldEnough).slice(0, 12);
    await archiveRecords(
      createS3ObjectStore({
        bucket: locked,
        client: s3.client,
        retention: { mode: 'COMPLIANCE', days: 30 },
      }),
      retained,
      (record, attachmentId) => harness.emulator.mailbox.openAttachment(record.id, attachmentId),
    );
    const handler = purgeModule.createHandler(
      purgeModule.dependenciesFromEnvironment({
        ...environment,
        ARCHIVE_BUCKET_NAME: locked,
        ARCHIVE_RETENTION_MODE: 'COMPLIANCE',
        ARCHIVE_RETENTION_DAYS: '30',
      }),
    );

    // Act
    const result = await handler(scheduledEvent(), lambdaContext({ remainingMs: 60_000 }));

    // Assess
    expect(result.counts).toMatchObject({
      wouldDelete: retained.length,
      deleted: 0,
      skipped: records.filter(oldEnough).length - retained.length,
    });
  });

  it('deletes the verified messages once enabled, ceil(N/50) requests', async () => {
    // Prepare
    const handler = purgeModule.createHandler(
      purgeModule.dependenciesFromEnvironment({ ...environment, PURGE_DRY_RUN: 'false' }),
    );
    const expected = records.filter(oldEnough);

    // Act
    const result = await handler(scheduledEvent(), lambdaContext({ remainingMs: 60_000 }));

    // Assess
    expect(result).toMatchObject({ dryRun: false, complete: true });
    expect(result.counts).toMatchObject({ deleted: expected.length, failed: 0, skipped: 0 });
    expect(harness.emulator.stats().requestsByGroup.Medium).toBe(Math.ceil(expected.length / 50));
    const extensionId = records[0]?.extensionId ?? '';
    for (const record of records) {
      expect(harness.emulator.mailbox.get(extensionId, record.id)?.availability).toBe(
        oldEnough(record) ? 'Purged' : 'Alive',
      );
    }
  });

  it('builds its client with 30% of the Medium window left to interactive sends', async () => {
    // Prepare
    const deployed = purgeModule.dependenciesFromEnvironment(environment);
    const asked: Array<{ safety: { Medium: number } }> = [];
    const handler = purgeModule.createHandler({
      ...deployed,
      messages: (options) => {
        asked.push(options);
        return deployed.messages(options);
      },
    });

    // Act
    await handler(scheduledEvent(), lambdaContext({ remainingMs: 60_000 }));

    // Assess
    expect(asked.map((options) => options.safety)).toEqual([{ Medium: 12 }]);
  });

  it('refuses a retention mode without its days at cold start, naming the variable', () => {
    // Act
    const load = () =>
      purgeModule.dependenciesFromEnvironment({
        ...environment,
        ARCHIVE_RETENTION_MODE: 'COMPLIANCE',
      });

    // Assess
    expect(load).toThrow(/ARCHIVE_RETENTION_DAYS/);
  });

  it('refuses a retention it cannot use at cold start, naming the variable', () => {
    // Act
    const load = () =>
      purgeModule.dependenciesFromEnvironment({
        ...environment,
        PURGE_RETENTION_DAYS: '{"Fax":0}',
      });

    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/PURGE_RETENTION_DAYS/);
  });
});
