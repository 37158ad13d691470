import { setTimeout as delay } from 'node:timers/promises';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  BudgetGeometry,
  BudgetKey,
  BudgetReading,
  BudgetSettings,
  BudgetWindows,
  ClaimPlan,
  ClaimResult,
  SharedRateBudget,
  SlotClaim,
} from '../ringcentral/index.ts';
import {
  dueOnAnswer,
  emptyWindows,
  expiredIndexes,
  geometryFor,
  planClaim,
  planReading,
  RecentDurations,
  runsOf,
} from '../ringcentral/index.ts';
import { STATE_TABLE_KEYS } from './state-table.ts';

/** Settings of {@link createDynamoRateBudget}; every duration is configurable so tests run in seconds. */
export interface DynamoRateBudgetOptions {
  tableName: string;
  client?: DynamoDBClient;
  now?: () => number;
  /** See {@link BudgetSettings.holdMs}; default 1,000 ms (1.7% of a 60 s window). */
  holdMs?: number;
  /** See {@link BudgetSettings.bucketsPerWindow}. */
  bucketsPerWindow?: number;
  /** How long a penalty read is served from memory; default 100 ms. */
  penaltyCacheMs?: number;
  /**
   * How often the fleet compares response headers with the store per budget; default 5,000 ms.
   * Each process does so at most once per this interval times the processes claiming.
   */
  learnIntervalMs?: number;
  /** Writes tried before learning gives up while the budget keeps changing under it; default 25. */
  maxAttempts?: number;
  /**
   * Claim writes lost to other processes before a claim answers "nothing now, try again soon";
   * default 4. Every lost write is a locked, costly request on the one item all processes share.
   */
  maxLostClaims?: number;
  /** A copy of the budget younger than this is planned on without reading first; default 100 ms. */
  copyMaxAgeMs?: number;
  random?: () => number;
  /** Called with each DynamoDB request's kind (benchmarks count them). */
  onRequest?: (kind: 'read' | 'claim' | 'learn' | 'penalty') => void;
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

/** Items outlive their last use by a day, then DynamoDB's TTL removes idle budgets. */
const TTL_MARGIN_SECONDS = 86_400;
/** Expired buckets and runs a claim removes at most, keeping its expression small. */
const MAX_REMOVALS_PER_WRITE = 16;

const BUCKET = /^c(\d+)$/;
const RUN = /^w(\d+)$/;
const CALLERS = /^k(\d+)$/;
const GEOMETRY_NAMES = {
  '#limit': 'limit',
  '#window': 'windowMs',
  '#bucket': 'bucketMs',
  '#span': 'span',
  '#network': 'networkMs',
} as const;

interface StoredWindows {
  state: BudgetWindows;
  /** Bumped by every write: a whole rewrite (new limits) is conditional on it. */
  version: number;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/** The budget held in an item, or undefined when it holds none yet (a penalty alone, or nothing). */
function parseItem(item: Record<string, unknown>, now: number): StoredWindows | undefined {
  if (item.limit === undefined) return undefined;
  const geometry: BudgetGeometry = {
    limit: Number(item.limit),
    windowMs: Number(item.windowMs),
    bucketMs: Number(item.bucketMs),
    span: Number(item.span),
    networkMs: Number(item.networkMs),
  };
  const state = emptyWindows(geometry);
  state.penaltyUntil = Number(item.penaltyUntil ?? 0);
  const epoch = Math.floor(now / geometry.windowMs);
  for (const [name, value] of Object.entries(item)) {
    const bucket = BUCKET.exec(name);
    if (bucket) state.counts.set(Number(bucket[1]), Number(value));
    const run = RUN.exec(name);
    if (run) state.sums.set(Number(run[1]), Number(value));
    const callers = CALLERS.exec(name);
    if (callers && Number(callers[1]) >= epoch - 1 && value instanceof Set) {
      for (const caller of value) state.callers.add(String(caller));
    }
  }
  return { state, version: Number(item.version ?? 0) };
}

/** Attribute names of old buckets, runs and caller sets a write may drop. */
function expiredNames(stored: StoredWindows | undefined, now: number): string[] {
  if (!stored) return [];
  const { buckets, runs } = expiredIndexes(stored.state, now);
  const epoch = Math.floor(now / stored.state.windowMs);
  const callerSets: number[] = [];
  for (let old = epoch - 4; old < epoch - 1; old += 1) callerSets.push(old);
  return [
    ...buckets.map((bucket) => `c${bucket}`),
    ...runs.map((run) => `w${run}`),
    ...callerSets.map((old) => `k${old}`),
  ].slice(0, MAX_REMOVALS_PER_WRITE);
}

/**
 * The shared rate budget on the state table: one item per user and group holding, per time
 * bucket, the slots granted and the sum of every run of buckets one window can hold
 * (`lib/ringcentral/budget-windows.ts`), and the penalty. A claim is one UpdateItem that ADDs
 * its slots to its buckets and runs, on condition that each run stays within the limit and no
 * penalty covers the slots: conditions over thresholds, which DynamoDB checks and applies
 * atomically, so claims of any number of processes succeed one after another without reading
 * first and without invalidating each other. Only a claim planned on a stale copy that finds
 * its bucket full reads again. A penalty is one UpdateItem that only ever extends it, and every
 * claim is conditional on it, so a penalty reported by one process stops the claims of all
 * others at once.
 */
export function createDynamoRateBudget(options: DynamoRateBudgetOptions): SharedRateBudget {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const settings: BudgetSettings = {
    holdMs: options.holdMs ?? 1_000,
    ...(options.bucketsPerWindow === undefined
      ? {}
      : { bucketsPerWindow: options.bucketsPerWindow }),
  };
  const penaltyCacheMs = options.penaltyCacheMs ?? 100;
  const learnIntervalMs = options.learnIntervalMs ?? 5_000;
  const maxAttempts = options.maxAttempts ?? 25;
  const maxLostClaims = options.maxLostClaims ?? 4;
  const copyMaxAgeMs = options.copyMaxAgeMs ?? 100;
  const count = options.onRequest ?? (() => {});
  const TableName = options.tableName;
  const documents = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}));
  const penalties = new Map<string, { until: number; readAt: number }>();
  const copies = new Map<string, StoredWindows & { at: number }>();
  const learnedAt = new Map<string, number>();
  /** Per budget and caller: send times of granted slots (fair share counts those not yet due). */
  const granted = new Map<string, number[]>();
  const id = (key: BudgetKey): string => `${key.user}|${key.group}`;

  const remember = (key: BudgetKey, item: Record<string, unknown> | undefined, at: number) => {
    penalties.set(id(key), { until: Number(item?.penaltyUntil ?? 0), readAt: at });
    const stored = item && parseItem(item, at);
    if (stored) copies.set(id(key), { ...stored, at });
    else copies.delete(id(key));
    return stored;
  };

  const read = async (key: BudgetKey): Promise<StoredWindows | undefined> => {
    const readAt = now();
    count('read');
    const { Item } = await documents.send(
      new GetCommand({ TableName, Key: rateBudgetKey(key), ConsistentRead: true }),
    );
    return remember(key, Item, readAt);
  };

  const expiresAt = (): number => Math.ceil(now() / 1000) + TTL_MARGIN_SECONDS;

  /** Geometry values, its SET, the condition that the stored one is it, and that it is it or none yet. */
  const geometryTerms = (geometry: BudgetGeometry) => ({
    values: {
      ':limit': geometry.limit,
      ':window': geometry.windowMs,
      ':bucket': geometry.bucketMs,
      ':span': geometry.span,
      ':network': geometry.networkMs,
    },
    set: '#limit = :limit, #window = :window, #bucket = :bucket, #span = :span, #network = :network',
    equal:
      '#limit = :limit AND #window = :window AND #bucket = :bucket AND #span = :span AND #network = :network',
    same: '(attribute_not_exists(#limit) OR (#limit = :limit AND #window = :window AND #bucket = :bucket AND #span = :span AND #network = :network))',
  });

  /** Adds a claim's slots; false when a run is full or the geometry or penalty changed. */
  const writeClaim = async (
    key: BudgetKey,
    stored: StoredWindows | undefined,
    state: BudgetWindows,
    plan: ClaimPlan,
    caller: string,
  ): Promise<boolean> => {
    const geometry = geometryTerms(state);
    const names: Record<string, string> = { ...GEOMETRY_NAMES, '#ttl': STATE_TABLE_KEYS.ttl };
    const values: Record<string, unknown> = {
      ...geometry.values,
      ':ttl': expiresAt(),
      ':one': 1,
      ':me': new Set([caller]),
      ':from': Math.min(...plan.result.slots.map((slot) => slot.sendAt)),
    };
    const adds = ['version :one', `#k :me`];
    names['#k'] = `k${Math.floor(now() / state.windowMs)}`;
    const conditions = [
      geometry.same,
      '(attribute_not_exists(penaltyUntil) OR penaltyUntil <= :from)',
    ];
    plan.buckets.forEach(({ bucket, slots }, position) => {
      names[`#c${position}`] = `c${bucket}`;
      values[`:c${position}`] = slots;
      adds.push(`#c${position} :c${position}`);
    });
    [...plan.runs].forEach(([run, add], position) => {
      names[`#w${position}`] = `w${run}`;
      values[`:w${position}`] = add;
      values[`:m${position}`] = state.limit - add;
      adds.push(`#w${position} :w${position}`);
      conditions.push(`(attribute_not_exists(#w${position}) OR #w${position} <= :m${position})`);
    });
    const removals = expiredNames(stored, now()).map((name, position) => {
      names[`#x${position}`] = name;
      return `#x${position}`;
    });
    try {
      const at = now();
      count('claim');
      const { Attributes } = await documents.send(
        new UpdateCommand({
          TableName,
          Key: rateBudgetKey(key),
          UpdateExpression: `SET ${geometry.set}, #ttl = :ttl ADD ${adds.join(', ')}${removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      remember(key, Attributes, at);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };

  /** Jittered pause after a lost race, so the losers do not collide again in step. */
  const pause = (attempt: number): Promise<void> =>
    delay(Math.floor(random() * Math.min(50, 2 * attempt)));

  const pendingOf = (key: BudgetKey, caller: string, at: number): number =>
    (granted.get(`${id(key)}|${caller}`) ?? []).filter((sendAt) => sendAt > at).length;

  const noteGranted = (key: BudgetKey, caller: string, result: ClaimResult, at: number): void => {
    const name = `${id(key)}|${caller}`;
    const future = (granted.get(name) ?? []).filter((sendAt) => sendAt > at);
    future.push(...result.slots.map((slot) => slot.sendAt).filter((sendAt) => sendAt > at));
    granted.set(name, future);
  };

  // Slots are planned from when the write is expected back, so a slow store voids no slot: the
  // recent write round trip that most writes stay under (an average voids half the grants).
  const writeLatency = new RecentDurations();
  const claim = async (request: SlotClaim): Promise<ClaimResult> => {
    // Plan on a fresh state: a read is cheap and unlocked, while a write planned on a copy that
    // misses others' claims since is a lost write, locked behind every other write of the item.
    const copy = copies.get(id(request));
    let stored = copy && now() - copy.at <= copyMaxAgeMs ? copy : await read(request);
    for (let lost = 0; lost <= maxLostClaims; lost += 1) {
      const state = stored?.state ?? {
        ...emptyWindows(geometryFor(request.limit, settings)),
        penaltyUntil: penalties.get(id(request))?.until ?? 0,
      };
      const plannedAt = now();
      const at = plannedAt + writeLatency.high;
      const pending = pendingOf(request, request.caller, at);
      // Reservations (slots ahead, where every waiting process aims at the same first free
      // bucket) go to a random one of the next 2 buckets, after a lost race of the next 4, 8...
      const greedy = planClaim(state, { ...request, pending }, at);
      const ahead = (greedy.result.slots[0]?.sendAt ?? at) > at;
      const spread = ahead
        ? Math.floor(random() * Math.min(2 ** (lost + 1), state.span / 2)) * state.bucketMs
        : 0;
      const plan =
        spread === 0
          ? greedy
          : planClaim(
              state,
              { ...request, pending, from: (greedy.result.slots[0]?.sendAt ?? at) + spread },
              at,
            );
      if (plan.buckets.length === 0) return plan.result;
      const written = await writeClaim(request, stored, state, plan, request.caller);
      const answeredAt = now();
      writeLatency.add(answeredAt - plannedAt);
      if (written) {
        noteGranted(request, request.caller, plan.result, at);
        return dueOnAnswer(plan.result, state, answeredAt);
      }
      stored = await read(request);
    }
    // Still losing: nothing now; the pacer claims again after a pause of up to a bucket.
    return {
      slots: [],
      nextAt: now() + Math.ceil(random() * (stored?.state.bucketMs ?? 100)),
      limitedBy: undefined,
      penaltyUntil: stored?.state.penaltyUntil ?? 0,
    };
  };

  /** Usage the budget did not grant, added to a bucket without a limit (it happened). */
  const writeUsage = async (
    key: BudgetKey,
    state: BudgetWindows,
    bucket: number,
    slots: number,
  ): Promise<boolean> => {
    const geometry = geometryTerms(state);
    const names: Record<string, string> = { ...GEOMETRY_NAMES, '#c': `c${bucket}` };
    const values: Record<string, unknown> = { ...geometry.values, ':n': slots, ':one': 1 };
    const adds = ['version :one', '#c :n'];
    runsOf(state, bucket).forEach((run, position) => {
      names[`#w${position}`] = `w${run}`;
      adds.push(`#w${position} :n`);
    });
    return conditionalUpdate(key, {
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ConditionExpression: geometry.equal,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  };

  /** The budget re-cut for new limits, replacing the item's buckets if it has not changed since read. */
  const writeResized = async (
    key: BudgetKey,
    stored: StoredWindows,
    next: BudgetWindows,
  ): Promise<boolean> => {
    const geometry = geometryTerms(next);
    const names: Record<string, string> = { ...GEOMETRY_NAMES };
    const values: Record<string, unknown> = {
      ...geometry.values,
      ':version': stored.version,
      ':one': 1,
    };
    const sets = [geometry.set];
    const written = new Set<string>();
    const setEach = (prefix: string, entries: Map<number, number>): void => {
      [...entries].forEach(([index, value], position) => {
        const name = `${prefix}${index}`;
        written.add(name);
        names[`#${prefix}${position}`] = name;
        values[`:${prefix}${position}`] = value;
        sets.push(`#${prefix}${position} = :${prefix}${position}`);
      });
    };
    setEach('c', next.counts);
    setEach('w', next.sums);
    const stale = [
      ...[...stored.state.counts.keys()].map((bucket) => `c${bucket}`),
      ...[...stored.state.sums.keys()].map((run) => `w${run}`),
    ].filter((name) => !written.has(name));
    const removals = stale.map((name, position) => {
      names[`#x${position}`] = name;
      return `#x${position}`;
    });
    return conditionalUpdate(key, {
      UpdateExpression: `SET ${sets.join(', ')} ADD version :one${removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : ''}`,
      ConditionExpression: 'version = :version',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  };

  const conditionalUpdate = async (
    key: BudgetKey,
    update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
  ): Promise<boolean> => {
    try {
      count('learn');
      await documents.send(new UpdateCommand({ TableName, Key: rateBudgetKey(key), ...update }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };

  const learn = async (key: BudgetKey & { reading: BudgetReading }): Promise<void> => {
    const cached = copies.get(id(key));
    const sameLimits =
      cached?.state.limit === key.reading.limit && cached.state.windowMs === key.reading.windowMs;
    const at = now();
    // Usage is checked against the store about every learnIntervalMs by the whole fleet: each of
    // n processes claiming checks every n intervals. New limits at once.
    const interval = learnIntervalMs * Math.max(1, cached?.state.callers.size ?? 1);
    if (sameLimits && at - (learnedAt.get(id(key)) ?? Number.NEGATIVE_INFINITY) < interval) {
      return;
    }
    learnedAt.set(id(key), at);
    // This process's copy misses others' later claims, so it may see usage that is theirs:
    // only a fresh read decides.
    if (cached && planReading(cached.state, key.reading, settings) === undefined) return;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const stored = await read(key);
      if (!stored) return;
      const plan = planReading(stored.state, key.reading, settings);
      if (!plan) return;
      const written =
        plan.kind === 'resize'
          ? await writeResized(key, stored, plan.state)
          : await writeUsage(key, stored.state, plan.bucket, plan.slots);
      if (written) {
        copies.delete(id(key));
        return;
      }
      await pause(attempt);
    }
    throw new RateBudgetContentionError(maxAttempts);
  };

  const reportPenalty = async (key: BudgetKey & { until: number }): Promise<void> => {
    const known = penalties.get(id(key));
    penalties.set(id(key), { until: Math.max(known?.until ?? 0, key.until), readAt: now() });
    try {
      count('penalty');
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
    const copy = copies.get(id(key));
    if (copy) copy.state.penaltyUntil = Math.max(copy.state.penaltyUntil, key.until);
  };

  const penaltyUntil = async (key: BudgetKey): Promise<number> => {
    const known = penalties.get(id(key));
    if (known && now() - known.readAt <= penaltyCacheMs) return known.until;
    await read(key);
    return penalties.get(id(key))?.until ?? 0;
  };

  return { claim, learn, reportPenalty, penaltyUntil };
}
