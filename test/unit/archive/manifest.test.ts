import { describe, expect, it } from 'vitest';
import {
  buildManifest,
  ManifestError,
  markManifestDeleted,
  parseManifest,
  serializeManifest,
} from '../../../lib/archive/manifest.ts';
import type { MessageRecord } from '../../../lib/ringcentral/index.ts';
import { parseJson } from '../../../lib/ringcentral/index.ts';

const wire =
  '{"id":1724099032020,"uri":"https://p/restapi/v1.0/account/400131880008/extension/101001/message-store/1724099032020",' +
  '"extensionId":"101001","conversationId":4611686018427387905,"creationTime":"2026-03-04T10:00:00.000Z",' +
  '"type":"Fax","attachments":[{"id":9839074435,"contentType":"application/pdf","size":3}]}';

const attachment = {
  id: '9839074435',
  key: 'archive/400131880008/101001/2026/03/04/1724099032020/attachments/9839074435.pdf',
  size: 3,
  sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  contentType: 'application/pdf',
};

describe('message.json', () => {
  it('round-trips a 19-digit conversation id exactly', () => {
    // Prepare
    const record = parseJson(wire) as MessageRecord;

    // Act
    const text = serializeManifest(buildManifest({ record, attachments: [attachment] }));
    const parsed = parseManifest(text);

    // Assess
    expect(text).toContain('"conversationId": "4611686018427387905"');
    expect(parsed.message.conversationId).toBe('4611686018427387905');
    expect(parsed.availability).toBe('Alive');
    expect(parsed.attachments).toEqual([attachment]);
  });

  it('serialises the same content to the same bytes whatever the key order', () => {
    // Prepare
    const record = parseJson(wire) as MessageRecord;
    const reordered = Object.fromEntries(Object.entries(record).reverse()) as MessageRecord;

    // Act
    const first = serializeManifest(buildManifest({ record, attachments: [attachment] }));
    const second = serializeManifest(
      buildManifest({ record: reordered, attachments: [attachment] }),
    );

    // Assess
    expect(second).toBe(first);
  });

  it('keeps the first deletedAt when a deletion is seen again', () => {
    // Prepare
    const record = parseJson(wire) as MessageRecord;
    const manifest = buildManifest({ record, attachments: [attachment] });

    // Act
    const deleted = markManifestDeleted(manifest, 'Deleted', '2026-03-05T00:00:00.000Z');
    const purged = markManifestDeleted(deleted, 'Purged', '2026-03-09T00:00:00.000Z');

    // Assess
    expect(purged.availability).toBe('Purged');
    expect(purged.deletedAt).toBe('2026-03-05T00:00:00.000Z');
    expect(purged.attachments).toEqual([attachment]);
  });

  it('rejects ids held as numbers, bad digests and foreign schema versions', () => {
    // Prepare
    const good = JSON.parse(
      serializeManifest(
        buildManifest({ record: parseJson(wire) as MessageRecord, attachments: [attachment] }),
      ),
    ) as Record<string, unknown>;
    const numberId = { id: '1724099032020', from: { extensionId: 101001 } } as never;
    const badDigest = JSON.stringify({ ...good, attachments: [{ ...attachment, sha256: 'abc' }] });
    const version2 = JSON.stringify({ ...good, schemaVersion: 2 });

    // Act
    const attempts = [
      ...[badDigest, version2, 'not json'].map((text) => () => parseManifest(text)),
      () => buildManifest({ record: numberId, attachments: [] }),
    ];

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow(ManifestError);
  });
});
