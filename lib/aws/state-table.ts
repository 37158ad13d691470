import { setTimeout as delay } from 'node:timers/promises';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

/** The one DynamoDB table's key and TTL attribute names. */
export const STATE_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttl: 'expiresAt' } as const;

/** A raw item of the state table: its key and attributes as stored (no `value` wrapper). */
export type StateItem = Readonly<Record<string, unknown>>;

/**
 * An UpdateItem of named attributes, for items whose fields are written by different writers
 * (e.g. discovery and the archive workers on one extension): each writer sets only its fields,
 * so no read-modify-write can lose another's. Attribute names are passed as placeholders.
 */
export interface FieldUpdate {
  /** Attributes to set; `undefined` values are skipped. */
  set?: Readonly<Record<string, unknown>>;
  /** Attributes to set only when the item has none yet (`if_not_exists`). */
  setIfAbsent?: Readonly<Record<string, unknown>>;
  /** Attributes to remove. */
  remove?: readonly string[];
  /**
   * A condition on the stored item; `expression` names attributes as `#name` and values as
   * `:name`, given in `names` (placeholder -> attribute) and `values` (placeholder -> value).
   */
  condition?: {
    expression: string;
    names?: Readonly<Record<string, string>>;
    values?: Readonly<Record<string, unknown>>;
  };
}

/** Options of {@link StateTable.queryPages}. */
export interface QueryPagesOptions {
  /** Items per page at most (DynamoDB also stops a page at 1 MB). */
  pageSize?: number;
  signal?: AbortSignal;
}

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
  /** The raw item (flat attributes, as written by {@link updateFields}); undefined when absent. */
  getItem(pk: string, sk: string): Promise<StateItem | undefined>;
  /**
   * Field-wise UpdateItem (creates the item unless a condition forbids it); sets `updatedAt`.
   * Returns false when the condition failed, true when written.
   */
  updateFields(pk: string, sk: string, update: FieldUpdate): Promise<boolean>;
  /**
   * The raw items of one partition in sort-key order, a page per Query (strongly consistent);
   * memory stays per page.
   */
  queryPages(pk: string, options?: QueryPagesOptions): AsyncIterable<readonly StateItem[]>;
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
    getItem: async (pk, sk) => {
      const { Item } = await documents.send(
        new GetCommand({ TableName, Key: { pk, sk }, ConsistentRead: true }),
      );
      return Item;
    },
    updateFields: async (pk, sk, update) => {
      try {
        await documents.send(
          new UpdateCommand({
            TableName,
            Key: { pk, sk },
            ...updateExpression(update, new Date(now()).toISOString()),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    queryPages: (pk, queryOptions = {}) => ({
      async *[Symbol.asyncIterator]() {
        let start: Record<string, unknown> | undefined;
        do {
          const answer = await documents.send(
            new QueryCommand({
              TableName,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': 'pk' },
              ExpressionAttributeValues: { ':pk': pk },
              ConsistentRead: true,
              Limit: queryOptions.pageSize,
              ExclusiveStartKey: start,
            }),
            queryOptions.signal ? { abortSignal: queryOptions.signal } : undefined,
          );
          start = answer.LastEvaluatedKey;
          if (answer.Items && answer.Items.length > 0) yield answer.Items;
        } while (start);
      },
    }),
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

/** The UpdateItem expression of a {@link FieldUpdate}: attributes as `#a0`, values as `:a0`, ... */
function updateExpression(update: FieldUpdate, updatedAt: string) {
  const names: Record<string, string> = { ...update.condition?.names };
  const values: Record<string, unknown> = { ...update.condition?.values };
  const sets: string[] = [];
  const removes: string[] = [];
  let next = 0;
  const name = (field: string) => {
    names[`#a${next}`] = field;
    return next++;
  };
  const set = (field: string, value: unknown, ifAbsent: boolean) => {
    if (value === undefined) return;
    const index = name(field);
    values[`:a${index}`] = value;
    sets.push(
      ifAbsent ? `#a${index} = if_not_exists(#a${index}, :a${index})` : `#a${index} = :a${index}`,
    );
  };
  for (const [field, value] of Object.entries(update.set ?? {})) set(field, value, false);
  for (const [field, value] of Object.entries(update.setIfAbsent ?? {})) set(field, value, true);
  set('updatedAt', updatedAt, false);
  for (const field of update.remove ?? []) removes.push(`#a${name(field)}`);
  const clauses = [`SET ${sets.join(', ')}`];
  if (removes.length > 0) clauses.push(`REMOVE ${removes.join(', ')}`);
  return {
    UpdateExpression: clauses.join(' '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(update.condition ? { ConditionExpression: update.condition.expression } : {}),
  };
}
