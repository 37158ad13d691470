import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  type ObjectLockRetentionMode,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startObjectLockFront, type WriteDenial } from '../../local/s3/object-lock-front.ts';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
}) => S3rverInstance;

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as S3rverConstructor;

/** How {@link LocalS3.createBucket} creates a bucket with Object Lock. */
export interface BucketObjectLock {
  /** The bucket's default retention, applied to versions written without lock headers. */
  defaultRetention?: { mode: ObjectLockRetentionMode; days: number };
}

/**
 * A local S3 on 127.0.0.1: s3rver (files in a temporary directory) behind the Object Lock
 * front of `local/s3`, as `npm start` runs it.
 */
export interface LocalS3 {
  endpoint: string;
  /** A client pointed at it: path style, checksums only when required (s3rver predates them). */
  client: S3Client;
  /**
   * Creates a bucket through the S3 API: without `objectLock` an unlocked, unversioned bucket
   * (s3rver's behaviour, which tests tampering with objects need); with it, a bucket created with
   * Object Lock (versioned, as S3 makes it).
   */
  createBucket(name: string, options?: { objectLock?: BucketObjectLock }): Promise<void>;
  /** Refuses writes to these keys with 403 AccessDenied (as a Deny policy) until undone. */
  denyWrites(denial: WriteDenial): () => void;
  stop(): Promise<void>;
}

const SHARED_MEMORY = '/dev/shm';
/** Room a test's s3rver files may take at most (with ample margin: tests keep them small). */
const SHARED_MEMORY_NEEDED_BYTES = 2 ** 30;
let defaultParent: Promise<string> | undefined;

/**
 * Where s3rver's temporary directory goes unless a test says: shared memory when the machine has
 * it with room, else the OS temporary directory. s3rver writes three files per object and stats
 * the tree on every listing; on tmpfs those system calls cost a fraction of a disk filesystem's.
 */
export function localS3ParentDirectory(): Promise<string> {
  defaultParent ??= statfs(SHARED_MEMORY).then(
    ({ bavail, bsize }) =>
      bavail * bsize >= SHARED_MEMORY_NEEDED_BYTES ? SHARED_MEMORY : tmpdir(),
    () => tmpdir(),
  );
  return defaultParent;
}

/** Options of {@link startS3rver}. */
export interface S3rverOptions {
  /** Where its temporary directory goes; default {@link localS3ParentDirectory}. */
  parentDirectory?: string;
  /** The clock Object Lock judges retention by (milliseconds); default `Date.now`. */
  clock?: () => number;
}

/** Starts s3rver and its Object Lock front on free ports. Stop it in afterAll. */
export async function startS3rver(options: S3rverOptions = {}): Promise<LocalS3> {
  const parent = options.parentDirectory ?? (await localS3ParentDirectory());
  const directory = await mkdtemp(join(parent, 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const { port } = await server.run();
  const front = await startObjectLockFront({
    backend: `http://127.0.0.1:${port}`,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const endpoint = front.endpoint;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    client,
    createBucket: async (name, bucketOptions = {}) => {
      const lock = bucketOptions.objectLock;
      await client.send(
        new CreateBucketCommand({
          Bucket: name,
          ...(lock ? { ObjectLockEnabledForBucket: true } : {}),
        }),
      );
      if (lock?.defaultRetention) {
        await client.send(
          new PutObjectLockConfigurationCommand({
            Bucket: name,
            ObjectLockConfiguration: {
              ObjectLockEnabled: 'Enabled',
              Rule: {
                DefaultRetention: {
                  Mode: lock.defaultRetention.mode,
                  Days: lock.defaultRetention.days,
                },
              },
            },
          }),
        );
      }
    },
    denyWrites: (denial) => front.denyWrites(denial),
    stop: async () => {
      client.destroy();
      await front.stop();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
