/**
 * The archive bucket as the functions that write or prove the archive (archive, archive-export,
 * purge) open it. Apart from function-context.ts because it loads the S3 client and its upload
 * helper, which every other function's cold start would pay for without using them.
 */
import type { ObjectStore } from '../archive/ports.ts';
import { type ArchiveRetention, archiveRetention } from '../archive/settings.ts';
import { createS3Client } from '../aws/s3-client.ts';
import { createS3ObjectStore } from '../aws/s3-object-store.ts';

/** The validated archive bucket settings (`archiveSettings`' bucket and retention). */
export interface ArchiveBucketConfig {
  ARCHIVE_BUCKET_NAME: string;
  ARCHIVE_RETENTION_MODE?: ArchiveRetention['mode'] | undefined;
  ARCHIVE_RETENTION_DAYS?: number | undefined;
}

/**
 * The archive bucket as the archive and purge use it, and its configured Object Lock retention:
 * the archive writes every object with it (`retainWrites`), purge requires it of every object
 * before it deletes (its own reports take the bucket's default).
 */
export function archiveBucket(
  config: ArchiveBucketConfig,
  environment: NodeJS.ProcessEnv = process.env,
  options: { retainWrites: boolean } = { retainWrites: true },
): { objects: ObjectStore; retention: ArchiveRetention | undefined } {
  const retention = archiveRetention(config);
  return {
    objects: createS3ObjectStore({
      bucket: config.ARCHIVE_BUCKET_NAME,
      client: createS3Client({ environment }),
      ...(retention && options.retainWrites ? { retention } : {}),
    }),
    retention,
  };
}
