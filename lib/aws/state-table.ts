import { setTimeout as delay } from 'node:timers/promises';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';

/** The one DynamoDB table's key and TTL attribute names. */
export const STATE_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttl: 'expiresAt' } as const;

/**
 * Idempotency records, sync cursors and job checkpoints in one table (pk, sk; TTL `expiresAt`,
 * epoch seconds). Every write is conditional on a version, so concurrent writers cannot lose
 * each other's updates.
 */
export interface StateTable {
  /** The stored value with its version; undefined when absent or expired. */
  get<T>(pk: string, sk: string): Promise<(T & { version: number }) | undefined>;
  /** Conditional write: succeeds only if the stored version equals expectedVersion (0 = must not exist). Returns false on a lost race. */
  put<T extends object>(
    pk: string,
    sk: string,
    value: T,
    expectedVersion: number,
    options?: { ttlSeconds?: number },
  ): Promise<boolean>;
  delete(pk: string, sk: string): Promise<void>;
  /**
   * Unconditional writes of items whose content never changes (version 1), 25 per BatchWriteItem;
   * items DynamoDB leaves unprocessed are sent again with backoff. Rejects if some are still
   * unprocessed after that, or when `signal` aborts.
   */
  putAll<T extends object>(
    items: ReadonlyArray<{ pk: string; sk: string; value: T }>,
    options?: { signal?: AbortSignal },
  ): Promise<void>;
  /** A lease lock (e.g. one token refresher at a time): true when acquired (or renewed by its owner); released by release() or after ttlMs. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases the lease if `owner` still holds it. */
  releaseLease(name: string, owner: string): Promise<void>;
}

const LEASE_SORT_KEY = 'lease';

/** BatchWriteItem's limit. */
const BATCH_WRITE_SIZE = 25;
/** Rounds of re-sending unprocessed items, waiting 50 ms, 100 ms, ... between them. */
const BATCH_WRITE_ROUNDS = 6;

/** Thrown when a batch write still has unprocessed items after every retry. */
export class UnprocessedItemsError extends Error {
  override readonly name = 'UnprocessedItemsError';
  constructor(count: number, options?: { cause?: unknown }) {
    super(`DynamoDB left ${count} items unprocessed after ${BATCH_WRITE_ROUNDS} rounds`, options);
  }
}

/** The partition key of a lease. */
export const leaseKey = (name: string): string => `lease#${name}`;

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/** Creates the state table adapter. Values are stored under `value`, beside `version`. */
export function createStateTable(options: {
  tableName: string;
  client?: DynamoDBClient;
  now?: () => number;
}): StateTable {
  const now = options.now ?? Date.now;
  const documents = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  const TableName = options.tableName;
  const nowSeconds = () => Math.floor(now() / 1000);

  return {
    get: async <T>(pk: string, sk: string) => {
      const { Item } = await documents.send(
        new GetCommand({ TableName, Key: { pk, sk }, ConsistentRead: true }),
      );
      if (!Item) return undefined;
      // DynamoDB deletes expired items lazily (within days): an expired item is absent.
      if (typeof Item.expiresAt === 'number' && Item.expiresAt <= nowSeconds()) return undefined;
      return { ...(Item.value as T), version: Number(Item.version) };
    },
    put: async (pk, sk, value, expectedVersion, putOptions) => {
      if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
        throw new RangeError('expectedVersion must be a non-negative integer');
      }
      const item: Record<string, unknown> = {
        pk,
        sk,
        value,
        version: expectedVersion + 1,
        updatedAt: new Date(now()).toISOString(),
      };
      if (putOptions?.ttlSeconds !== undefined) {
        item.expiresAt = nowSeconds() + Math.ceil(putOptions.ttlSeconds);
      }
      const condition =
        expectedVersion === 0
          ? {
              ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
              ExpressionAttributeValues: { ':now': nowSeconds() },
            }
          : {
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: { ':expected': expectedVersion },
            };
      try {
        await documents.send(new PutCommand({ TableName, Item: item, ...condition }));
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    delete: async (pk, sk) => {
      await documents.send(new DeleteCommand({ TableName, Key: { pk, sk } }));
    },
    putAll: async (items, putOptions) => {
      const updatedAt = new Date(now()).toISOString();
      const requests = items.map(({ pk, sk, value }) => ({
        PutRequest: { Item: { pk, sk, value, version: 1, updatedAt } },
      }));
      const abortSignal = putOptions?.signal;
      for (let start = 0; start < requests.length; start += BATCH_WRITE_SIZE) {
        let pending = requests.slice(start, start + BATCH_WRITE_SIZE);
        for (let round = 0; pending.length > 0; round += 1) {
          if (round === BATCH_WRITE_ROUNDS) throw new UnprocessedItemsError(pending.length);
          if (round > 0) await delay(50 * 2 ** (round - 1), abortSignal);
          const answer = await documents.send(
            new BatchWriteCommand({ RequestItems: { [TableName]: pending } }),
            abortSignal ? { abortSignal } : undefined,
          );
          pending = (answer.UnprocessedItems?.[TableName] ?? []) as typeof pending;
        }
      }
    },
    acquireLease: async (name, owner, ttlMs) => {
      const at = now();
      const until = at + ttlMs;
      try {
        await documents.send(
          new PutCommand({
            TableName,
            Item: {
              pk: leaseKey(name),
              sk: LEASE_SORT_KEY,
              owner,
              leaseUntil: until,
              expiresAt: Math.ceil(until / 1000) + 60,
            },
            ConditionExpression:
              'attribute_not_exists(pk) OR leaseUntil <= :now OR #owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':now': at, ':owner': owner },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    releaseLease: async (name, owner) => {
      try {
        await documents.send(
          new DeleteCommand({
            TableName,
            Key: { pk: leaseKey(name), sk: LEASE_SORT_KEY },
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
          }),
        );
      } catch (error) {
        // Someone else holds it now (ours expired), or it is gone: nothing of ours to release.
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}
