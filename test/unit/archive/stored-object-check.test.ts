import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkStoredObject, hexToBase64 } from '../../../lib/archive/stored-object-check.ts';

const sha256 = createHash('sha256').update('bytes').digest('hex');
const recorded = { key: 'a/b', size: 5, sha256, etag: '"e1"' };

describe('checkStoredObject', () => {
  it('proves an object of the recorded size, entity tag and checksum', () => {
    // Act
    const check = checkStoredObject(recorded, {
      size: 5,
      etag: '"e1"',
      checksumSha256: hexToBase64(sha256),
    });

    // Assess
    expect(check.problems).toEqual([]);
    expect(check.checksummed).toBe(true);
  });

  it('names every difference, in order, and ignores multipart checksums', () => {
    // Act
    const missing = checkStoredObject(recorded, undefined);
    const changed = checkStoredObject(recorded, {
      size: 6,
      etag: '"e2"',
      sha256: 'f'.repeat(64),
      checksumSha256: hexToBase64('0'.repeat(64)),
    });
    const multipart = checkStoredObject(recorded, { size: 5, checksumSha256: 'abc=-3' });
    const unprovable = checkStoredObject({ key: 'a/b', size: 5, sha256 }, { size: 5 });
    const legacy = checkStoredObject(
      { key: 'a/b', size: 5, sha256 },
      { size: 5, sha256: sha256.toUpperCase() },
    );

    // Assess
    expect(missing.problems).toEqual(['missing']);
    expect(changed.problems).toEqual([
      'size-mismatch',
      'etag-mismatch',
      'sha256-mismatch',
      'checksum-mismatch',
    ]);
    expect(multipart).toMatchObject({ problems: [], checksummed: false });
    expect(unprovable.problems).toEqual(['sha256-missing']);
    expect(legacy.problems).toEqual([]);
  });
});
