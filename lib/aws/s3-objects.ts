import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';

/** An S3 object a caller points us at. */
export interface ObjectRef {
  bucket: string;
  key: string;
}

/** Size and type of an object. */
export interface ObjectInfo {
  size: number;
  contentType?: string;
}

/** Reads S3 objects as streams, never buffering them whole. */
export interface ObjectReader {
  head(ref: ObjectRef): Promise<ObjectInfo>;
  /** The object's body as a Node stream; the caller must consume or destroy it. */
  open(
    ref: ObjectRef,
    options?: { signal?: AbortSignal },
  ): Promise<ObjectInfo & { stream: Readable }>;
}

/**
 * The S3 SDK, loaded on first use: only fax requests with S3 documents read objects, and loading
 * the client at cold start would add about a third to send-fax's import time (docs/BENCHMARKS.md,
 * `bundles`) for requests that never touch S3.
 */
let s3Sdk: Promise<typeof import('@aws-sdk/client-s3')> | undefined;
function loadS3Sdk(): Promise<typeof import('@aws-sdk/client-s3')> {
  s3Sdk ??= import('@aws-sdk/client-s3');
  return s3Sdk;
}

/** Creates an object reader; the S3 client is created on the first read unless one is given. */
export function createObjectReader(options?: { client?: S3Client }): ObjectReader {
  let client = options?.client;
  const ready = async () => {
    const sdk = await loadS3Sdk();
    client ??= new sdk.S3Client({});
    return { sdk, client };
  };
  return {
    head: async (ref) => {
      const { sdk, client } = await ready();
      const result = await client.send(
        new sdk.HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }),
      );
      return { size: Number(result.ContentLength ?? 0), contentType: result.ContentType };
    },
    open: async (ref, openOptions) => {
      const { sdk, client } = await ready();
      const result = await client.send(
        new sdk.GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }),
        openOptions?.signal ? { abortSignal: openOptions.signal } : undefined,
      );
      if (!result.Body) throw new Error(`S3 object ${ref.bucket}/${ref.key} has no body`);
      return {
        // In Node the SDK's body is an IncomingMessage, a Readable.
        stream: result.Body as Readable,
        size: Number(result.ContentLength ?? 0),
        contentType: result.ContentType,
      };
    },
  };
}
