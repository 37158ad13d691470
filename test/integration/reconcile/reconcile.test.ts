/**
 * The reconcile function against the local RingCentral and s3rver: a message RingCentral lists
 * that the archive lacks is reported (by extension, day and type, id named); one deleted or
 * purged in RingCentral after it was archived is not; one Light request per extension-day.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageKey } from '../../../lib/archive/layout.ts';
import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import type { ExtensionEntry } from '../../../lib/extensions/ports.ts';
import type { ReconciliationReport } from '../../../lib/extensions/reconciliation-report.ts';
import type { MessageRecord, RingCentral } from '../../../lib/ringcentral/index.ts';
import { type RunningEmulator, startEmulator } from '../../../local/ringcentral/index.ts';
import { lambdaContext } from '../../support/events.ts';
import { type LocalS3, startS3rver } from '../../support/s3rver.ts';
import { UNENFORCED_RATE_LIMITS, unpacedRingCentral } from '../../support/unpaced-client.ts';
import { importWithEnvironment } from '../functions/events-harness.ts';

const DAY_MS = 86_400_000;

let s3: LocalS3;
let emulator: RunningEmulator;
let rc: RingCentral;

beforeAll(async () => {
  [s3, emulator] = await Promise.all([
    startS3rver(),
    startEmulator({
      mailbox: {
        seed: 5,
        extensions: 3,
        messagesPerExtension: 24,
        maxAttachmentBytes: 200,
        startDate: new Date(Date.now() - 3 * DAY_MS).toISOString(),
      },
      rateLimits: UNENFORCED_RATE_LIMITS,
    }),
  ]);
  rc = unpacedRingCentral(emulator);
});

afterAll(async () => {
  await Promise.all([s3?.stop(), emulator?.stop()]);
});

async function recordsOf(extensionId: string): Promise<MessageRecord[]> {
  const records: MessageRecord[] = [];
  for await (const page of rc.messages.list({
    extensionId,
    dateFrom: new Date(Date.now() - 5 * DAY_MS),
    perPage: 1000,
  })) {
    records.push(...page.records);
  }
  return records;
}

function entry(id: string, extra: Partial<ExtensionEntry> = {}): ExtensionEntry {
  return {
    id,
    type: 'User',
    status: 'Enabled',
    firstSeen: '',
    lastSeen: '',
    archived: true,
    ...extra,
  };
}

describe('reconcile against the local RingCentral and s3rver', () => {
  it('reports the message missing from the archive, not the ones deleted or purged in RingCentral', async () => {
    // Prepare: two archived extensions with messages, a third gone; the archive holds every
    // message but one; two archived ones are then deleted and purged in RingCentral.
    const [first, second, gone] = emulator.mailbox.extensions.filter(
      (extension) => emulator.mailbox.messages(extension.id).length > 0,
    );
    if (!first || !second || !gone) throw new Error('the seed has too few mailboxes');
    const bucket = `reconcile-${randomUUID().slice(0, 8)}`;
    await s3.createBucket(bucket);
    const objects = createS3ObjectStore({ bucket, client: s3.client });
    const firstRecords = await recordsOf(first.id);
    const days = firstRecords.map((record) => (record.creationTime ?? '').slice(0, 10));
    const date = days
      .sort()
      .find((day, _, all) => all.filter((other) => other === day).length >= 3) as string;
    const ofDay = firstRecords.filter((record) => record.creationTime?.startsWith(date));
    const [missing, deleted, purged] = ofDay;
    if (!missing || !deleted || !purged) throw new Error('too few messages that day');
    for (const record of [...firstRecords, ...(await recordsOf(second.id))]) {
      if (record.id !== missing.id) await objects.put(messageKey(record), '{}', {});
    }
    await rc.messages.delete([deleted.id], { extensionId: first.id });
    await rc.messages.delete([purged.id], { extensionId: first.id, purge: true });
    emulator.resetStats();
    // The module's own handler is built from these at import; the test builds its own.
    const { createHandler } = await importWithEnvironment(
      () => import('../../../functions/reconcile.ts'),
      {
        CREDENTIALS_SECRET_ID: 'unused',
        SESSION_SECRET_ID: 'unused',
        STATE_TABLE_NAME: 'unused',
        ARCHIVE_BUCKET_NAME: bucket,
      },
    );
    const handler = createHandler({
      messages: async () => rc.messages,
      objects,
      registry: {
        async *list() {
          yield entry(first.id, { name: first.name, extensionNumber: first.extensionNumber });
          yield entry(second.id);
          yield entry(gone.id, { goneSince: new Date().toISOString() });
        },
      },
    });

    // Act
    const result = await handler({ date }, lambdaContext({ remainingMs: 60_000 }));

    // Assess
    const [yyyy, mm, dd] = date.split('-');
    const key = `reports/reconciliation/${yyyy}/${mm}/${dd}.json`;
    expect(result).toMatchObject({
      reportKeys: [key],
      missing: 1,
      extensionsWithDifferences: [first.id],
    });
    const report = JSON.parse((await objects.getText(key)) ?? '{}') as ReconciliationReport;
    expect(report.complete).toBe(true);
    expect(report.extensions.map((extension) => extension.extensionId)).toEqual(
      [first.id, second.id].sort(),
    );
    const firstDay = report.extensions.find((extension) => extension.extensionId === first.id);
    expect(firstDay).toMatchObject({ missing: 1, archivedOnly: 1, name: first.name });
    expect(firstDay?.byType[missing.type as string]).toMatchObject({ missingIds: [missing.id] });
    const listed = Object.values(firstDay?.byType ?? {}).reduce(
      (sum, type) => sum + type.ringCentral,
      0,
    );
    expect(listed).toBe(ofDay.length - 1);
    expect(report.counts).toMatchObject({
      extensions: 2,
      withDifferences: 1,
      missing: 1,
      errors: 0,
    });
    expect(emulator.stats().requestsByGroup.Light).toBe(2);
  });
});
