/**
 * The ArchiveReader (lib/archive/custody-ports.ts) on S3: ListObjectsV2 a page at a time as the
 * caller iterates, so a listing of any size holds one page; GetObject as a stream.
 */
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { ArchiveReader } from '../archive/custody-ports.ts';
import type { ListedObject } from '../archive/ports.ts';

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchKey' || error.$metadata?.httpStatusCode === 404)
  );
}

/** Creates the reader of one bucket. */
export function createS3ArchiveReader(options: {
  bucket: string;
  client: S3Client;
}): ArchiveReader {
  const { bucket, client } = options;
  return {
    async *list(prefix, listOptions = {}) {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
          listOptions.signal ? { abortSignal: listOptions.signal } : undefined,
        );
        for (const item of page.Contents ?? []) {
          if (item.Key === undefined) continue;
          const listed: ListedObject = { key: item.Key, size: Number(item.Size ?? 0) };
          if (item.ETag) listed.etag = item.ETag;
          yield listed;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async *children(prefix, listOptions = {}) {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
          listOptions.signal ? { abortSignal: listOptions.signal } : undefined,
        );
        for (const common of page.CommonPrefixes ?? []) {
          if (common.Prefix) yield common.Prefix;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async open(key, openOptions = {}) {
      try {
        const result = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key }),
          openOptions.signal ? { abortSignal: openOptions.signal } : undefined,
        );
        // In Node the SDK's body is an IncomingMessage, a Readable.
        return result.Body as Readable | undefined;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
  };
}
