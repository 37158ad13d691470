/**
 * Where the archive bench children talk to, and the clients they build from it: the project's
 * RingCentral client with rate limits scaled off (the local RingCentral advertises an ample
 * budget), an S3 client for s3rver and a DynamoDB client for dynalite.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { CursorStore, LocatorStore } from '../../../lib/archive/ports.ts';
import { createCursorStore } from '../../../lib/aws/cursor-store.ts';
import { createLocatorStore } from '../../../lib/aws/locator-store.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import { createJwtTokenSource, createRingCentral } from '../../../lib/ringcentral/index.ts';
import type { BenchCredentials } from '../support/emulator-process.ts';

/** JSON-safe description of the services a child uses. */
export interface ArchiveTargets {
  server: string;
  mediaServer: string;
  credentials: BenchCredentials;
  s3Endpoint: string;
  bucket: string;
  dynamoEndpoint: string;
  tableName: string;
}

/** Budgets far above anything a run can use: the client never waits for its pacer. */
export const UNLIMITED_GROUPS = {
  Light: { limit: 1_000_000, windowMs: 1_000 },
  Medium: { limit: 1_000_000, windowMs: 1_000 },
  Heavy: { limit: 1_000_000, windowMs: 1_000 },
  Auth: { limit: 1_000_000, windowMs: 1_000 },
};

/** The same budgets in the local RingCentral's option format (its headers advertise them). */
export const UNLIMITED_EMULATOR_GROUPS = {
  Light: { limit: 1_000_000, windowSeconds: 1 },
  Medium: { limit: 1_000_000, windowSeconds: 1 },
  Heavy: { limit: 1_000_000, windowSeconds: 1 },
  Auth: { limit: 1_000_000, windowSeconds: 1 },
};

/** The project's client, logged in with the JWT grant. */
export function benchRingCentral(targets: ArchiveTargets) {
  const limits = { groups: UNLIMITED_GROUPS };
  const tokenSource = createJwtTokenSource({
    server: targets.server,
    ...targets.credentials,
    limits,
  });
  return {
    tokenSource,
    rc: createRingCentral({
      server: targets.server,
      mediaServer: targets.mediaServer,
      tokenSource,
      limits,
    }),
  };
}

/** An S3 client for s3rver: path style, its own credentials, checksums only when required. */
export function benchS3Client(targets: Pick<ArchiveTargets, 's3Endpoint'>): S3Client {
  return new S3Client({
    endpoint: targets.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A DynamoDB client for dynalite. */
export function benchDynamoClient(targets: Pick<ArchiveTargets, 'dynamoEndpoint'>): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: targets.dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** The archive's cursors and locators on the target's state table in dynalite. */
export function benchStateStores(targets: Pick<ArchiveTargets, 'dynamoEndpoint' | 'tableName'>): {
  cursors: CursorStore;
  locators: LocatorStore;
} {
  const table = createStateTable({
    tableName: targets.tableName,
    client: benchDynamoClient(targets),
  });
  return { cursors: createCursorStore(table), locators: createLocatorStore(table) };
}
