/**
 * The HEAD of the archive's probe key (infra/archive-listing-probe.ts), a key under archive/
 * that nothing writes: S3 answers 404 only to a reader whose s3:ListBucket grant covers it.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ARCHIVE_LISTING_PROBE_KEY } from '../../infra/archive-listing-probe.ts';

/** The S3 status of a failed call (404, 403, ...), or 0 when it was no HTTP answer. */
export function statusOf(error: unknown): number {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0;
}

/** The HTTP status of a HEAD of the probe key in `bucket` (200 if it exists after all). */
export async function headArchiveProbeKey(s3: S3Client, bucket: string): Promise<number> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: ARCHIVE_LISTING_PROBE_KEY }));
    return 200;
  } catch (error) {
    const status = statusOf(error);
    if (status === 0) throw error;
    return status;
  } finally {
    s3.destroy();
  }
}
