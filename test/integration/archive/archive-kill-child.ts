/**
 * A child process that archives until the first attachment object is stored, reports it, and
 * then hangs before that message's message.json, so that its parent can SIGKILL it right there.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { createArchiver } from '../../../lib/archive/archiver.ts';
import { createCursorStore } from '../../../lib/aws/cursor-store.ts';
import { createLocatorStore } from '../../../lib/aws/locator-store.ts';
import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import { createRingCentral, staticTokenSource } from '../../../lib/ringcentral/index.ts';
import { runAsChild, sendToParent } from '../../bench/support/child-process.ts';

/** What the parent sends. */
export interface KillChildInput {
  server: string;
  mediaServer: string;
  accessToken: string;
  s3Endpoint: string;
  bucket: string;
  dynamoEndpoint: string;
  tableName: string;
  startDate: string;
}

runAsChild(async (input: KillChildInput) => {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const s3 = new S3Client({
    endpoint: input.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const dynamo = new DynamoDBClient({
    endpoint: input.dynamoEndpoint,
    region: 'us-east-1',
    credentials,
  });
  const stateTable = createStateTable({ tableName: input.tableName, client: dynamo });
  const big = { limit: 1_000_000, windowMs: 60_000 };
  const archiver = createArchiver({
    ringCentral: createRingCentral({
      server: input.server,
      mediaServer: input.mediaServer,
      tokenSource: staticTokenSource(input.accessToken),
      limits: { groups: { Light: big, Medium: big, Heavy: big, Auth: big } },
    }),
    objects: createS3ObjectStore({ bucket: input.bucket, client: s3 }),
    cursors: createCursorStore(stateTable),
    locators: createLocatorStore(stateTable),
    startDate: input.startDate,
    concurrency: 1,
    observer: {
      attachmentStored: async (info) => {
        sendToParent({ type: 'attachment-stored', ...info });
        // Never returns: the parent kills us between the attachment and its message.json.
        await new Promise(() => undefined);
      },
    },
  });
  return archiver.archiveExtension('~', { deadline: Date.now() + 60_000 });
});
