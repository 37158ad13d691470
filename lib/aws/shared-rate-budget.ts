import { setTimeout as delay } from 'node:timers/promises';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  BudgetKey,
  BudgetReading,
  BudgetRing,
  ClaimResult,
  RingSettings,
  SharedRateBudget,
  SlotClaim,
  SlotUpdate,
} from '../ringcentral/index.ts';
import { applyClaim, emptyRing, planClaim, planReading } from '../ringcentral/index.ts';
import { STATE_TABLE_KEYS } from './state-table.ts';

/** Settings of {@link createDynamoRateBudget}; every duration is configurable so tests run in seconds. */
export interface DynamoRateBudgetOptions {
  tableName: string;
  client?: DynamoDBClient;
  now?: () => number;
  /** See {@link RingSettings.holdMs}; default 1,000 ms (1.7% of a 60 s window). */
  holdMs?: number;
  /** How long a penalty read is served from memory; default 100 ms. */
  penaltyCacheMs?: number;
  /** A process compares response headers with the store at most this often per budget; default 5,000 ms. */
  learnIntervalMs?: number;
  /** Conditional writes tried before a claim gives up under contention; default 25. */
  maxAttempts?: number;
  random?: () => number;
}

/** Claims kept losing conditional writes to other processes. */
export class RateBudgetContentionError extends Error {
  override name = 'RateBudgetContentionError';
  constructor(attempts: number, options?: { cause?: unknown }) {
    super(`The shared rate budget changed under ${attempts} claims in a row`, options);
  }
}

/** The item of one budget: `pk = ratebudget#{user}`, `sk = {group}`. */
export const rateBudgetKey = (key: BudgetKey): { pk: string; sk: string } => ({
  pk: `ratebudget#${key.user}`,
  sk: key.group,
});

/** Items outlive their last busy slot by a day, then DynamoDB's TTL removes idle budgets. */
const TTL_MARGIN_SECONDS = 86_400;

interface StoredRing {
  ring: BudgetRing;
  /** Bumped by every write: a whole-ring rewrite is conditional on it. */
  version: number;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/**
 * The shared rate budget on the state table: one item per user and group holding the slot ring
 * (`lib/ringcentral/budget-ring.ts`) and the penalty. A claim is one consistent read and one
 * UpdateItem that sets only the slots it takes, each conditional on the slot being as read, so
 * processes taking different slots never conflict; a lost race reads again. A penalty is one
 * UpdateItem that only ever extends it, and every claim reads it, so a penalty reported by one
 * process stops the claims of all others at once.
 */
export function createDynamoRateBudget(options: DynamoRateBudgetOptions): SharedRateBudget {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const settings: RingSettings = { holdMs: options.holdMs ?? 1_000, random };
  const penaltyCacheMs = options.penaltyCacheMs ?? 100;
  const learnIntervalMs = options.learnIntervalMs ?? 5_000;
  const maxAttempts = options.maxAttempts ?? 25;
  const TableName = options.tableName;
  const documents = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}));
  const penalties = new Map<string, { until: number; readAt: number }>();
  const rings = new Map<string, StoredRing>();
  const learnedAt = new Map<string, number>();
  const id = (key: BudgetKey): string => `${key.user}|${key.group}`;

  const read = async (key: BudgetKey): Promise<StoredRing | undefined> => {
    const readAt = now();
    const { Item } = await documents.send(
      new GetCommand({ TableName, Key: rateBudgetKey(key), ConsistentRead: true }),
    );
    const penaltyUntil = Number(Item?.penaltyUntil ?? 0);
    penalties.set(id(key), { until: penaltyUntil, readAt });
    if (!Item || !Array.isArray(Item.busyUntil)) return undefined;
    const stored: StoredRing = {
      ring: {
        limit: Number(Item.limit),
        windowMs: Number(Item.windowMs),
        busyUntil: (Item.busyUntil as unknown[]).map(Number),
        sendAt: (Item.sendAt as unknown[]).map(Number),
        owners: (Item.owners as unknown[]).map(String),
        penaltyUntil,
      },
      version: Number(Item.version ?? 0),
    };
    rings.set(id(key), stored);
    return stored;
  };

  const expiresAt = (ring: BudgetRing, updates: readonly SlotUpdate[] = []): number => {
    const latest = Math.max(
      ring.penaltyUntil,
      ...ring.busyUntil,
      ...updates.map((update) => update.busyUntil),
    );
    return Math.ceil(Math.max(latest, now()) / 1000) + TTL_MARGIN_SECONDS;
  };

  /** Writes a whole ring: when none is stored (`version` undefined) or none changed since read. */
  const writeRing = async (
    key: BudgetKey,
    ring: BudgetRing,
    version: number | undefined,
  ): Promise<boolean> => {
    try {
      await documents.send(
        new UpdateCommand({
          TableName,
          Key: rateBudgetKey(key),
          UpdateExpression:
            'SET #limit = :limit, windowMs = :window, busyUntil = :busy, sendAt = :send, #owners = :owners, #ttl = :ttl ADD version :one',
          ConditionExpression:
            version === undefined
              ? 'attribute_not_exists(busyUntil) AND (attribute_not_exists(penaltyUntil) OR penaltyUntil = :penalty)'
              : 'version = :version',
          ExpressionAttributeNames: {
            '#limit': 'limit',
            '#owners': 'owners',
            '#ttl': STATE_TABLE_KEYS.ttl,
          },
          ExpressionAttributeValues: {
            ':limit': ring.limit,
            ':window': ring.windowMs,
            ':busy': ring.busyUntil,
            ':send': ring.sendAt,
            ':owners': ring.owners,
            ':ttl': expiresAt(ring),
            ':one': 1,
            ...(version === undefined
              ? { ':penalty': ring.penaltyUntil }
              : { ':version': version }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };

  /** Takes the planned slots, each only if still as read, while limit, window and penalty are too. */
  const writeSlots = async (
    key: BudgetKey,
    ring: BudgetRing,
    updates: readonly SlotUpdate[],
    caller: string,
  ): Promise<boolean> => {
    const sets: string[] = [];
    const conditions = [
      '#limit = :limit',
      'windowMs = :window',
      ring.penaltyUntil === 0
        ? '(attribute_not_exists(penaltyUntil) OR penaltyUntil = :penalty)'
        : 'penaltyUntil = :penalty',
    ];
    const values: Record<string, unknown> = {
      ':limit': ring.limit,
      ':window': ring.windowMs,
      ':penalty': ring.penaltyUntil,
      ':caller': caller,
      ':ttl': expiresAt(ring, updates),
      ':one': 1,
    };
    updates.forEach((update, position) => {
      const slot = update.index;
      sets.push(
        `busyUntil[${slot}] = :b${position}`,
        `sendAt[${slot}] = :s${position}`,
        `#owners[${slot}] = :caller`,
      );
      conditions.push(`busyUntil[${slot}] = :p${position}`);
      values[`:b${position}`] = update.busyUntil;
      values[`:s${position}`] = update.sendAt;
      values[`:p${position}`] = update.previousBusyUntil;
    });
    try {
      await documents.send(
        new UpdateCommand({
          TableName,
          Key: rateBudgetKey(key),
          UpdateExpression: `SET ${sets.join(', ')}, #ttl = :ttl ADD version :one`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: {
            '#limit': 'limit',
            '#owners': 'owners',
            '#ttl': STATE_TABLE_KEYS.ttl,
          },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };

  /** Jittered pause after a lost race, so the losers do not collide again in step. */
  const pause = (attempt: number): Promise<void> =>
    delay(Math.floor(random() * Math.min(50, 2 * attempt)));

  // Slots are planned to start once the write is expected back, so a slow store shortens no
  // slot's send time: the recent write latency, decaying.
  let writeLatencyMs = 0;
  const claim = async (request: SlotClaim): Promise<ClaimResult> => {
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const stored = await read(request);
      const ring = stored?.ring ?? {
        ...emptyRing(request.limit),
        penaltyUntil: penaltyOf(request),
      };
      const plannedAt = now();
      const plan = planClaim(ring, request, plannedAt + writeLatencyMs, settings);
      if (plan.updates.length === 0) return plan.result;
      const written = stored
        ? await writeSlots(request, ring, plan.updates, request.caller)
        : await writeRing(request, applyClaim(ring, plan.updates, request.caller), undefined);
      writeLatencyMs = Math.max(now() - plannedAt, Math.floor(writeLatencyMs * 0.8));
      if (written) return plan.result;
      await pause(attempt);
    }
    throw new RateBudgetContentionError(maxAttempts);
  };

  const penaltyOf = (key: BudgetKey): number => penalties.get(id(key))?.until ?? 0;

  const learn = async (key: BudgetKey & { reading: BudgetReading }): Promise<void> => {
    const cached = rings.get(id(key));
    const sameLimits =
      cached?.ring.limit === key.reading.limit && cached.ring.windowMs === key.reading.windowMs;
    const at = now();
    // Usage is checked against the store at most every learnIntervalMs; new limits at once.
    if (sameLimits && at - (learnedAt.get(id(key)) ?? Number.NEGATIVE_INFINITY) < learnIntervalMs) {
      return;
    }
    learnedAt.set(id(key), at);
    // This process's copy misses others' later claims, so it may see usage that is theirs:
    // only a fresh read decides.
    if (cached && planReading(cached.ring, key.reading) === undefined) return;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const stored = await read(key);
      if (!stored) return;
      const next = planReading(stored.ring, key.reading);
      if (!next) return;
      if (await writeRing(key, next, stored.version)) return;
      await pause(attempt);
    }
    throw new RateBudgetContentionError(maxAttempts);
  };

  const reportPenalty = async (key: BudgetKey & { until: number }): Promise<void> => {
    const known = penalties.get(id(key));
    penalties.set(id(key), { until: Math.max(known?.until ?? 0, key.until), readAt: now() });
    try {
      await documents.send(
        new UpdateCommand({
          TableName,
          Key: rateBudgetKey(key),
          UpdateExpression: 'SET penaltyUntil = :until, #ttl = :ttl ADD version :one',
          ConditionExpression: 'attribute_not_exists(penaltyUntil) OR penaltyUntil < :until',
          ExpressionAttributeNames: { '#ttl': STATE_TABLE_KEYS.ttl },
          ExpressionAttributeValues: {
            ':until': key.until,
            ':ttl': Math.ceil(key.until / 1000) + TTL_MARGIN_SECONDS,
            ':one': 1,
          },
        }),
      );
    } catch (error) {
      // A later penalty is already stored: it covers this one.
      if (!isConditionFailure(error)) throw error;
    }
  };

  const penaltyUntil = async (key: BudgetKey): Promise<number> => {
    const known = penalties.get(id(key));
    if (known && now() - known.readAt <= penaltyCacheMs) return known.until;
    await read(key);
    return penaltyOf(key);
  };

  return { claim, learn, reportPenalty, penaltyUntil };
}
