import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { messageKey } from '../../../lib/archive/layout.ts';
import { buildManifest, parseManifest, serializeManifest } from '../../../lib/archive/manifest.ts';
import { hexToBase64, verifyAll, verifyArchived } from '../../../lib/purge/verification.ts';
import { archiveRecord, attachmentBytes, messageRecord } from './fixture.ts';
import { createMemoryStore } from './memory-store.ts';

const created = '2024-03-01T10:00:00.000Z';

async function archivedFixture(
  options: { checksums?: boolean; etags?: boolean; sizes?: number[] } = {},
) {
  const store = createMemoryStore({ checksums: options.checksums, etags: options.etags });
  const record = messageRecord({
    id: '1724000000000000001',
    creationTime: created,
    attachmentSizes: options.sizes ?? [300, 5],
  });
  const archived = await archiveRecord(store, record, (attachmentId) =>
    attachmentBytes(
      attachmentId,
      record.attachments?.find((a) => a.id === attachmentId)?.size ?? 0,
    ),
  );
  return { store, record, archived };
}

describe('verifyArchived', () => {
  it('verifies a message whose manifest and every attachment are in the store', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture();

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toEqual({
      id: record.id,
      verified: true,
      manifestKey: archived.manifestKey,
      attachments: 2,
      checksummed: 0,
    });
  });

  it("counts S3's own checksum when the store returns one", async () => {
    // Prepare
    const { store, record } = await archivedFixture({ checksums: true });

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: true, checksummed: 2 });
  });

  it('reports a missing message.json', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture();
    store.remove(archived.manifestKey);

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'manifest-missing' });
  });

  it('reports a message.json that is not a manifest', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture();
    await store.put(archived.manifestKey, '{"schemaVersion":1}', {});

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'manifest-invalid' });
  });

  it('reports a manifest of another message under the key', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture();
    const other = { ...record, id: '1724000000000000999' };
    const text = serializeManifest(buildManifest({ record: other, attachments: [] }));
    await store.put(archived.manifestKey, text, {});

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'manifest-mismatch' });
  });

  it('reports a missing attachment object', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture();
    store.remove(archived.attachmentKeys[1]!);

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({
      verified: false,
      reason: 'attachment-missing',
      detail: archived.attachmentKeys[1],
    });
  });

  it('reports a short attachment object', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture();
    store.corrupt(archived.attachmentKeys[0]!, { size: 299 });

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'attachment-size-mismatch' });
  });

  it('reports an attachment whose sha256 metadata differs from the manifest', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture();
    store.corrupt(archived.attachmentKeys[0]!, {
      sha256: createHash('sha256').update('something else').digest('hex'),
    });

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'attachment-sha256-mismatch' });
  });

  it('reports an attachment archived without an entity tag whose object lacks sha256 metadata', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture();
    store.corrupt(archived.attachmentKeys[0]!, { dropSha256: true });

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'attachment-sha256-missing' });
  });

  it('verifies by size and entity tag an archive whose objects carry no sha256 metadata', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture({ etags: true });
    const manifest = parseManifest(store.text(archived.manifestKey) ?? '');

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(manifest.attachments.map((entry) => entry.etag)).toEqual([
      expect.stringMatching(/^"[0-9a-f]{32}"$/),
      expect.stringMatching(/^"[0-9a-f]{32}"$/),
    ]);
    expect(result).toMatchObject({ verified: true, attachments: 2, checksummed: 0 });
  });

  it('reports an attachment written again after it was archived (same size, new entity tag)', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture({ etags: true });
    const key = archived.attachmentKeys[0]!;
    const size = record.attachments?.[0]?.size ?? 0;
    await store.put(key, Buffer.alloc(size, 0x5a), { size });

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({
      verified: false,
      reason: 'attachment-etag-mismatch',
      detail: key,
    });
  });

  it("reports an S3 checksum that differs from the manifest's sha256 beside a matching entity tag", async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture({ etags: true, checksums: true });
    const wrong = hexToBase64(createHash('sha256').update('other bytes').digest('hex'));
    store.corrupt(archived.attachmentKeys[0]!, { checksumSha256: wrong });

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'attachment-checksum-mismatch' });
  });

  it("reports an S3 checksum that differs from the manifest's sha256", async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture({ checksums: true });
    const wrong = hexToBase64(createHash('sha256').update('other bytes').digest('hex'));
    store.corrupt(archived.attachmentKeys[1]!, { checksumSha256: wrong });

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'attachment-checksum-mismatch' });
  });

  it('does not compare a multipart composite checksum with the content sha256', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture({ checksums: true });
    store.corrupt(archived.attachmentKeys[0]!, { checksumSha256: 'AAAAAAAAAAAAAAAAAAAA-3' });

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: true, checksummed: 1 });
  });

  it('reports an attachment RingCentral lists that the manifest lacks', async () => {
    // Prepare
    const { store, record } = await archivedFixture();
    const extra = {
      ...record,
      attachments: [
        ...(record.attachments ?? []),
        { id: '77', size: 1, contentType: 'text/plain' },
      ],
    };

    // Act
    const result = await verifyArchived(store, extra);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'attachment-not-archived' });
  });

  it("reports a manifest size that differs from RingCentral's", async () => {
    // Prepare
    const { store, record } = await archivedFixture();
    const grown = {
      ...record,
      attachments: record.attachments?.map((attachment, index) =>
        index === 0 ? { ...attachment, size: 301 } : attachment,
      ),
    };

    // Act
    const result = await verifyArchived(store, grown);

    // Assess
    expect(result).toMatchObject({
      verified: false,
      reason: 'attachment-size-differs-from-ringcentral',
    });
  });

  it('reports a record changed in RingCentral after the archived copy', async () => {
    // Prepare
    const { store, record } = await archivedFixture();
    const changed = { ...record, lastModifiedTime: '2024-03-02T00:00:00.000Z' };

    // Act
    const result = await verifyArchived(store, changed);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'archive-outdated' });
  });

  it('reports an attachment the archiver recorded as gone before download', async () => {
    // Prepare
    const { store, record, archived } = await archivedFixture();
    const manifest = parseManifest(store.text(archived.manifestKey)!);
    const [kept, lost] = manifest.attachments;
    const text = serializeManifest(
      buildManifest({
        record,
        attachments: [kept!],
        missingAttachments: [{ id: lost!.id, reason: 'GoneBeforeDownload' }],
      }),
    );
    await store.put(archived.manifestKey, text, {});

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'attachment-gone-before-download' });
  });

  it('reports a store failure as unverified instead of throwing', async () => {
    // Prepare
    const { store, record } = await archivedFixture();
    store.failOn(/attachments\//);

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'verification-error' });
  });

  it('reports a record it cannot place in the layout', async () => {
    // Prepare
    const store = createMemoryStore();
    const record = { id: '1724000000000000001', availability: 'Deleted' as const };

    // Act
    const result = await verifyArchived(store, record);

    // Assess
    expect(result).toMatchObject({ verified: false, reason: 'unlocatable' });
  });
});

describe('verifyAll', () => {
  it('verifies every record in input order', async () => {
    // Prepare
    const store = createMemoryStore();
    const records = Array.from({ length: 40 }, (_, index) =>
      messageRecord({
        id: String(1_724_000_000_000_000_100n + BigInt(index)),
        creationTime: created,
      }),
    );
    for (const record of records.slice(0, 30)) {
      await archiveRecord(store, record, (id) => attachmentBytes(id, 100));
    }

    // Act
    const { results, unchecked } = await verifyAll(store, records, { concurrency: 4 });

    // Assess
    expect(unchecked).toEqual([]);
    expect(results.map((result) => result.id)).toEqual(records.map((record) => record.id));
    expect(results.filter((result) => result.verified)).toHaveLength(30);
    expect(results.slice(30).every((result) => !result.verified)).toBe(true);
  });

  it('starts no new check once told to stop and returns the rest unchecked', async () => {
    // Prepare
    const store = createMemoryStore();
    const records = Array.from({ length: 10 }, (_, index) =>
      messageRecord({
        id: String(1_724_000_000_000_000_200n + BigInt(index)),
        creationTime: created,
      }),
    );
    for (const record of records)
      await archiveRecord(store, record, (id) => attachmentBytes(id, 100));
    let checks = 0;
    const counting = {
      ...store,
      getText: (key: string) => {
        checks += 1;
        return store.getText(key);
      },
    };

    // Act
    const { results, unchecked } = await verifyAll(counting, records, {
      concurrency: 1,
      shouldStop: () => checks >= 3,
    });

    // Assess
    expect(results.map((result) => result.id)).toEqual(records.slice(0, 3).map((r) => r.id));
    expect(unchecked.map((record) => record.id)).toEqual(records.slice(3).map((r) => r.id));
    expect(messageKey(records[0]!)).toMatch(/^archive\/400131880008\/101001\/2024\/03\/01\//);
  });
});

describe('verifyArchived with a required retention', () => {
  const days = 30;
  const requiredUntil = new Date(Date.parse(created) + days * 24 * 60 * 60 * 1000).toISOString();
  const later = new Date(Date.parse(requiredUntil) + 1000).toISOString();

  async function retainedFixture(retainUntil: string | undefined) {
    const fixture = await archivedFixture({ etags: true });
    const retention =
      retainUntil === undefined ? undefined : { mode: 'COMPLIANCE' as const, retainUntil };
    for (const key of fixture.store.keys()) fixture.store.corrupt(key, { retention });
    return fixture;
  }

  it('verifies a message whose message.json and attachments are retained long enough', async () => {
    // Prepare
    const { store, record } = await retainedFixture(requiredUntil);

    // Act
    const result = await verifyArchived(store, record, { requiredRetention: { days } });

    // Assess
    expect(result).toMatchObject({ verified: true, attachments: 2 });
  });

  it('does not verify a message whose objects carry no retention, and says which', async () => {
    // Prepare
    const { store, record, archived } = await retainedFixture(undefined);

    // Act
    const result = await verifyArchived(store, record, { requiredRetention: { days } });
    const unrequired = await verifyArchived(store, record);

    // Assess
    expect(result).toEqual({
      id: record.id,
      verified: false,
      reason: 'manifest-not-retained',
      detail: `${archived.manifestKey}: no retention, required until ${requiredUntil}`,
      manifestKey: archived.manifestKey,
    });
    expect(unrequired).toMatchObject({ verified: true });
  });

  it('does not verify a message with an attachment retained too short', async () => {
    // Prepare
    const { store, record, archived } = await retainedFixture(later);
    const attachmentKey = archived.attachmentKeys[1] ?? '';
    const short = new Date(Date.parse(requiredUntil) - 1000).toISOString();
    store.corrupt(attachmentKey, { retention: { mode: 'GOVERNANCE', retainUntil: short } });

    // Act
    const { results } = await verifyAll(store, [record], { requiredRetention: { days } });

    // Assess
    expect(results).toEqual([
      {
        id: record.id,
        verified: false,
        reason: 'attachment-not-retained',
        detail: `${attachmentKey}: retained until ${short}, required until ${requiredUntil}`,
        manifestKey: archived.manifestKey,
      },
    ]);
  });
});
