/**
 * get-sms-batch (GET /sms/batches/{batchId}, IAM-authorised): the progress of a batch the caller
 * sent through this API and a page of its per-recipient results, read from RingCentral.
 */
import { smsBatchPath, smsBatchQuery } from '../lib/api/sms-batch.ts';
import { createSentBatchLedger } from '../lib/aws/sent-batch-ledger.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import type { RingCentral, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralFromSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createHttpHandler } from '../lib/runtime/http-stack.ts';
import type { SentBatchLedger } from '../lib/sending/batch-ports.ts';
import { BatchNotFoundError, readBatchStatus } from '../lib/sending/batch-status.ts';
import * as z from '../lib/validation/zod.ts';

/** The environment get-sms-batch needs, validated at cold start. */
export const getSmsBatchConfig = z.object({
  STATE_TABLE_NAME: env.requiredString,
  ...ringCentralSecretsEnv,
});

/** What the handler works with; tests pass their own. */
export interface GetSmsBatchDependencies {
  /** Who sent each batch. */
  ledger: SentBatchLedger;
  /** The RingCentral client, created once per container on first use. */
  ringCentral(hooks: RingCentralHooks): Promise<RingCentral>;
}

/** Builds the get-sms-batch handler. */
export function createHandler(dependencies: GetSmsBatchDependencies) {
  const context = functionContext('get-sms-batch');
  return createHttpHandler({
    ...context,
    // A GET carries no body; one that does is refused like any invalid body.
    body: z.undefined(),
    allowEmptyBody: true,
    handler: async ({ pathParameters, queryParameters, caller, signal, deadline }) => {
      const { batchId } = z.parse(smsBatchPath, pathParameters);
      const { pageToken, perPage } = z.parse(smsBatchQuery, queryParameters);
      if (caller === undefined) throw new BatchNotFoundError(batchId);
      const status = await readBatchStatus(
        {
          ledger: dependencies.ledger,
          caller,
          batchId,
          page: {
            ...(pageToken === undefined ? {} : { pageToken }),
            ...(perPage === undefined ? {} : { perPage: Number(perPage) }),
          },
          a2p: async () => (await dependencies.ringCentral(context.hooks)).a2p,
        },
        { signal, deadline },
      );
      return { status: 200, body: status };
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): GetSmsBatchDependencies {
  const config = loadConfig(getSmsBatchConfig, environment);
  return {
    ledger: createSentBatchLedger(createStateTable({ tableName: config.STATE_TABLE_NAME })),
    ringCentral: ringCentralFromSecrets(config),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
