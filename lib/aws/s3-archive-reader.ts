/**
 * The ArchiveReader (lib/archive/custody-ports.ts) on S3: ListObjects a page at a time as the
 * caller iterates, so a listing of any size holds one page; GetObject as a stream.
 */
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsCommand,
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
  /**
   * One page of keys after `marker`. ListObjects (v1) with the last key as the next marker:
   * s3rver cannot create v2 continuation tokens on Node 24 (they use DES, which OpenSSL 3 lacks),
   * and S3 pages v1 the same way.
   */
  const listPage = async (
    prefix: string,
    marker: string | undefined,
    maxKeys: number,
    signal?: AbortSignal,
  ): Promise<ListedObject[]> => {
    const page = await client.send(
      new ListObjectsCommand({
        Bucket: bucket,
        Prefix: prefix,
        MaxKeys: maxKeys,
        ...(marker ? { Marker: marker } : {}),
      }),
      signal ? { abortSignal: signal } : undefined,
    );
    return (page.Contents ?? []).flatMap((item) =>
      item.Key === undefined
        ? []
        : [
            {
              key: item.Key,
              size: Number(item.Size ?? 0),
              ...(item.ETag ? { etag: item.ETag } : {}),
              ...(item.LastModified ? { lastModified: item.LastModified.toISOString() } : {}),
            },
          ],
    );
  };
  return {
    async *list(prefix, listOptions = {}) {
      let marker: string | undefined;
      for (;;) {
        const page = await listPage(prefix, marker, 1000, listOptions.signal);
        for (const listed of page) yield listed;
        if (page.length < 1000) return;
        marker = page[page.length - 1]?.key;
      }
    },
    async *children(prefix, listOptions = {}) {
      // A skip-scan rather than a delimiter (s3rver reports no common prefix whose objects lie
      // two levels down): each step asks for the first key after the previous child's last
      // possible key ('0' follows '/'), one request per child.
      let marker: string | undefined;
      for (;;) {
        const [first] = await listPage(prefix, marker, 1, listOptions.signal);
        if (!first) return;
        const slash = first.key.indexOf('/', prefix.length);
        if (slash === -1) {
          marker = first.key;
          continue;
        }
        const child = first.key.slice(0, slash + 1);
        yield child;
        marker = `${child.slice(0, -1)}0`;
      }
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
