/**
 * What the archive tools (`archive:verify`, `search`, `hold`, `adopt`) work on: with `--bucket`,
 * that bucket through the SDK's standard configuration (AWS_REGION, credentials;
 * AWS_ENDPOINT_URL_S3 for a local store) and, when STATE_TABLE_NAME is set, the custody heads in
 * that state table; otherwise the archive bucket and state table of the running `npm start`
 * (found through `<LOCAL_DATA_DIR>/stack.json`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ArchiveReader, CustodyHeadStore } from '../../lib/archive/custody-ports.ts';
import type { ObjectStore } from '../../lib/archive/ports.ts';
import { createCustodyHeadStore } from '../../lib/aws/custody-head-store.ts';
import { createS3ArchiveReader } from '../../lib/aws/s3-archive-reader.ts';
import { createS3Client } from '../../lib/aws/s3-client.ts';
import { createS3LegalHolds } from '../../lib/aws/s3-legal-hold.ts';
import { createS3ObjectStore } from '../../lib/aws/s3-object-store.ts';
import { createStateTable } from '../../lib/aws/state-table.ts';
import type { LegalHolds } from '../../lib/search/legal-hold.ts';
import {
  LOCAL_ARCHIVE_BUCKET,
  localDynamoClient,
  runningStack,
  s3rverClient,
} from '../running-stack.ts';

/** Thrown when there is nothing to read: no `--bucket` and no running `npm start`. */
export class ArchiveTargetsError extends Error {
  override readonly name = 'ArchiveTargetsError';
}

/** The archive to read, described for the terminal. */
export interface ArchiveTargets {
  reader: ArchiveReader;
  heads?: CustodyHeadStore;
  /** The bucket's legal holds (`archive:hold`); the read-only tools leave them alone. */
  holds?: LegalHolds;
  /** The bucket as a store to write to (`archive:adopt` appends its manifests). */
  objects?: ObjectStore;
  description: string;
  close(): void;
}

/** Resolves the archive to read; see the module comment. */
export async function openArchiveTargets(
  bucket: string | undefined,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<ArchiveTargets> {
  let client: S3Client;
  let dynamo: DynamoDBClient | undefined;
  let tableName: string | undefined;
  let description: string;
  if (bucket) {
    client = createS3Client({ environment: env });
    tableName = env.STATE_TABLE_NAME;
    if (tableName) dynamo = new DynamoDBClient({});
    description = `bucket ${bucket}${tableName ? `, custody heads in ${tableName}` : ' (no STATE_TABLE_NAME: the newest manifest is taken as the head)'}`;
  } else {
    const stack = await runningStack(dataDir);
    if (!stack?.s3Endpoint) {
      throw new ArchiveTargetsError(
        'No running npm start found: start it, or name a deployment with --bucket',
      );
    }
    bucket = stack.archiveBucket ?? LOCAL_ARCHIVE_BUCKET;
    client = s3rverClient(stack.s3Endpoint);
    if (stack.dynamodbEndpoint && stack.tableName) {
      dynamo = localDynamoClient(stack.dynamodbEndpoint, stack.region);
      tableName = stack.tableName;
    }
    description = `bucket ${bucket} of the running npm start (${stack.s3Endpoint})`;
  }
  return {
    reader: createS3ArchiveReader({ bucket, client }),
    holds: createS3LegalHolds({ bucket, client }),
    objects: createS3ObjectStore({ bucket, client }),
    ...(dynamo && tableName
      ? { heads: createCustodyHeadStore(createStateTable({ tableName, client: dynamo })) }
      : {}),
    description,
    close() {
      client.destroy();
      dynamo?.destroy();
    },
  };
}
