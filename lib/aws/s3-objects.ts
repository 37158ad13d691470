import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';

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

/** Creates an object reader. */
export function createObjectReader(options?: { client?: S3Client }): ObjectReader {
  const client = options?.client ?? new S3Client({});
  return {
    head: async (ref) => {
      const result = await client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      return { size: Number(result.ContentLength ?? 0), contentType: result.ContentType };
    },
    open: async (ref, openOptions) => {
      const result = await client.send(
        new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }),
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
