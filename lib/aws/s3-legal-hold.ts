/**
 * LegalHolds (lib/search/legal-hold.ts) on S3: ListObjectVersions under the prefix, a page at a
 * time, then PutObjectLegalHold on each version (delete markers have none). Needs
 * s3:ListBucketVersions and s3:PutObjectLegalHold on the archive bucket.
 */
import {
  ListObjectVersionsCommand,
  PutObjectLegalHoldCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { LegalHolds } from '../search/legal-hold.ts';

/** Creates the legal holds of one bucket. */
export function createS3LegalHolds(options: { bucket: string; client: S3Client }): LegalHolds {
  const { bucket, client } = options;
  return {
    async setUnder(prefix, status, callOptions = {}) {
      const send = callOptions.signal ? { abortSignal: callOptions.signal } : undefined;
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      let set = 0;
      for (;;) {
        const page = await client.send(
          new ListObjectVersionsCommand({
            Bucket: bucket,
            Prefix: prefix,
            ...(keyMarker ? { KeyMarker: keyMarker } : {}),
            ...(versionIdMarker ? { VersionIdMarker: versionIdMarker } : {}),
          }),
          send,
        );
        for (const version of page.Versions ?? []) {
          if (version.Key === undefined) continue;
          await client.send(
            new PutObjectLegalHoldCommand({
              Bucket: bucket,
              Key: version.Key,
              ...(version.VersionId ? { VersionId: version.VersionId } : {}),
              LegalHold: { Status: status },
            }),
            send,
          );
          set += 1;
        }
        if (!page.IsTruncated) return set;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
      }
    },
  };
}
