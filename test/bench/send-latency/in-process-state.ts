/**
 * In-process stand-ins for the state-table I/O of the send-sms handler, so that the bench's
 * "handler" variant times the project's code and not a local database: each implements the port
 * the handler already takes (Powertools' cache client for idempotency, the state table's item
 * operations for the sender ledger and status watch, `SharedRateBudget` for the rate budget),
 * and the code above the port runs unchanged.
 */
import { createRingCentralFromSecrets } from '../../../lib/aws/ringcentral.ts';
import type { SecretsStore } from '../../../lib/aws/secrets.ts';
import type { FieldUpdate, StateTable } from '../../../lib/aws/state-table.ts';
import type { RingCentral, RingCentralHooks } from '../../../lib/ringcentral/index.ts';
import { createMemoryBudget } from '../../unit/ringcentral/support/memory-budget.ts';

/**
 * A Valkey-like in-process store for Powertools' CachePersistenceLayer (SET with NX and EX, GET,
 * DEL): the idempotency protocol in full, without a database round trip.
 */
export function inProcessCache() {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (name: string) => {
    const entry = entries.get(name);
    if (entry && entry.expiresAt <= Date.now()) entries.delete(name);
    return entries.get(name);
  };
  return {
    get: async (name: string) => live(name)?.value ?? null,
    set: async (name: string, value: unknown, options?: unknown) => {
      const { NX, EX } = (options ?? {}) as { NX?: boolean; EX?: number };
      if (NX && live(name)) return null;
      entries.set(name, {
        value: String(value),
        expiresAt: EX === undefined ? Number.POSITIVE_INFINITY : Date.now() + EX * 1000,
      });
      return 'OK';
    },
    del: async (names: string[]) => names.filter((name) => entries.delete(name)).length,
  };
}

type StoredItem = Record<string, unknown> & { version?: number; expiresAt?: number };

/** The attributes of `fields` that have a value (DynamoDB's removeUndefinedValues). */
function defined(fields: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields ?? {}).filter(([, value]) => value !== undefined),
  );
}

/**
 * The state table's `get`, `put` and `updateFields` in memory, with the conditions the sender
 * ledger and the status watch write under: versioned puts (0 = absent or expired) and
 * `attribute_not_exists(pk)`. Any other condition is refused loudly rather than ignored.
 */
export function inProcessStateTable(
  now: () => number = Date.now,
): Pick<StateTable, 'get' | 'put' | 'updateFields'> {
  const items = new Map<string, StoredItem>();
  const keyOf = (pk: string, sk: string) => `${pk}\u0000${sk}`;
  const live = (pk: string, sk: string): StoredItem | undefined => {
    const item = items.get(keyOf(pk, sk));
    const expired = typeof item?.expiresAt === 'number' && item.expiresAt <= now() / 1000;
    return expired ? undefined : item;
  };
  return {
    get: async <T>(pk: string, sk: string) => {
      const item = live(pk, sk);
      if (!item) return undefined;
      return { ...(item.value as T), version: Number(item.version) };
    },
    put: async (pk, sk, value, expectedVersion, options) => {
      if ((live(pk, sk)?.version ?? 0) !== expectedVersion) return false;
      items.set(keyOf(pk, sk), {
        pk,
        sk,
        value,
        version: expectedVersion + 1,
        updatedAt: new Date(now()).toISOString(),
        ...(options?.ttlSeconds === undefined
          ? {}
          : { expiresAt: Math.floor(now() / 1000) + Math.ceil(options.ttlSeconds) }),
      });
      return true;
    },
    updateFields: async (pk: string, sk: string, update: FieldUpdate) => {
      const stored = items.get(keyOf(pk, sk));
      const condition = update.condition?.expression;
      if (condition === 'attribute_not_exists(pk)') {
        if (stored) return false;
      } else if (condition !== undefined) {
        throw new Error(`The in-process state table does not evaluate ${condition}`);
      }
      const next: StoredItem = {
        ...defined(update.setIfAbsent),
        ...stored,
        ...defined(update.set),
      };
      for (const name of update.remove ?? []) delete next[name];
      items.set(keyOf(pk, sk), { ...next, pk, sk, updatedAt: new Date(now()).toISOString() });
      return true;
    },
  };
}

/**
 * The container's RingCentral client as the deployed function builds it (credentials and
 * session from the secrets store, the runtime's hooks), over a shared rate budget in this
 * process's memory with the DynamoDB budget's rules (`planClaim`, spare slots, fair share).
 */
export function inProcessRingCentral(options: {
  store: SecretsStore;
  credentialsSecretId: string;
  sessionSecretId: string;
  user: string;
}): (hooks: RingCentralHooks) => Promise<RingCentral> {
  // The DynamoDB budget's default hold (lib/aws/shared-rate-budget.ts).
  const budget = createMemoryBudget(1_000);
  let client: Promise<RingCentral> | undefined;
  return (hooks) => {
    client ??= createRingCentralFromSecrets({
      store: options.store,
      credentialsSecretId: options.credentialsSecretId,
      sessionSecretId: options.sessionSecretId,
      hooks,
      limits: { shared: { budget, user: options.user } },
    });
    return client;
  };
}
