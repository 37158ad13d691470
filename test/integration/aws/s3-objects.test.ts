import { createHash, randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectReader } from '../../../lib/aws/s3-objects.ts';
import type { LocalS3 } from '../../support/s3rver.ts';
import { startS3rver } from '../../support/s3rver.ts';

describe('createObjectReader against s3rver', () => {
  let s3: LocalS3;
  const document = randomBytes(3 * 1024 * 1024 + 17);

  beforeAll(async () => {
    s3 = await startS3rver();
    await s3.createBucket('fax-documents');
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'fax-documents',
        Key: 'docs/report.pdf',
        Body: document,
        ContentType: 'application/pdf',
      }),
    );
  });
  afterAll(async () => {
    await s3.stop();
  });

  it('reads size and type without the body', async () => {
    // Prepare
    const reader = createObjectReader({ client: s3.client });

    // Act
    const info = await reader.head({ bucket: 'fax-documents', key: 'docs/report.pdf' });

    // Assess
    expect(info).toEqual({ size: document.length, contentType: 'application/pdf' });
  });

  it('streams the body in chunks rather than one buffer', async () => {
    // Prepare
    const reader = createObjectReader({ client: s3.client });
    const hash = createHash('sha256');
    let chunks = 0;
    let largestChunk = 0;
    let bytes = 0;

    // Act
    const opened = await reader.open({ bucket: 'fax-documents', key: 'docs/report.pdf' });
    for await (const chunk of opened.stream) {
      const buffer = chunk as Buffer;
      chunks += 1;
      bytes += buffer.length;
      largestChunk = Math.max(largestChunk, buffer.length);
      hash.update(buffer);
    }

    // Assess
    expect(opened.size).toBe(document.length);
    expect(opened.contentType).toBe('application/pdf');
    expect(bytes).toBe(document.length);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(document).digest('hex'));
    expect(chunks).toBeGreaterThan(1);
    expect(largestChunk).toBeLessThan(document.length / 2);
  });

  it('fails for a missing object', async () => {
    // Prepare
    const reader = createObjectReader({ client: s3.client });

    // Act
    const failure = reader.head({ bucket: 'fax-documents', key: 'missing.pdf' });

    // Assess
    await expect(failure).rejects.toMatchObject({ name: 'NotFound' });
  });
});
