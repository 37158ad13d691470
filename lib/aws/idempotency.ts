import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { PowertoolsFunctions } from '@aws-lambda-powertools/jmespath/functions';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STATE_TABLE_KEYS } from './state-table.ts';

/** Every idempotency partition starts with this (`idempotency#<function>`). */
export const IDEMPOTENCY_PARTITION_PREFIX = 'idempotency#';

/**
 * Powertools DynamoDB persistence on the state table: pk = 'idempotency#<function>', sk = the
 * service-prefixed hash of the caller and Idempotency-Key, TTL attribute `expiresAt`. Use one
 * instance per function (Powertools configures a persistence layer once). `functionName`
 * defaults to AWS_LAMBDA_FUNCTION_NAME, then POWERTOOLS_SERVICE_NAME.
 */
export function createIdempotencyPersistence(options: {
  tableName: string;
  client?: DynamoDBClient;
  functionName?: string;
}): DynamoDBPersistenceLayer {
  const functionName =
    options.functionName ??
    process.env.AWS_LAMBDA_FUNCTION_NAME ??
    process.env.POWERTOOLS_SERVICE_NAME ??
    'local-function';
  return new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    keyAttr: STATE_TABLE_KEYS.partitionKey,
    sortKeyAttr: STATE_TABLE_KEYS.sortKey,
    staticPkValue: `${IDEMPOTENCY_PARTITION_PREFIX}${functionName}`,
    expiryAttr: STATE_TABLE_KEYS.ttl,
    ...(options.client ? { awsSdkV3Client: options.client } : {}),
  });
}

/**
 * Powertools' JMESPath functions for an `IdempotencyConfig` (or `functions`, a subclass adding
 * its own), introspected once.
 *
 * Every JMESPath search builds an interpreter that walks the functions' prototype chain again to
 * list them; an idempotent request runs several searches, and the walk was the largest single cost
 * Powertools added to a warm send. The list never changes, so the instance answers with the first
 * walk's result. The recursion of that walk calls the prototype's method, not this own property.
 */
export function idempotencyJmesPathFunctions<F extends PowertoolsFunctions>(
  functions: F = new PowertoolsFunctions() as F,
): F {
  const methods = functions.introspectMethods();
  functions.introspectMethods = () => methods;
  return functions;
}
