import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateTable } from '../../../lib/aws/state-table.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';
import { startDynalite } from '../../support/dynalite.ts';

interface Cursor {
  syncToken: string;
  archived: number;
}

describe('createStateTable against dynalite', () => {
  let dynamo: LocalDynamo;
  let table: StateTable;
  let tableName: string;

  beforeAll(async () => {
    dynamo = await startDynalite();
    tableName = await dynamo.createStateTable();
    table = createStateTable({ tableName, client: dynamo.client });
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  it('creates with version 0, then updates only from the stored version', async () => {
    // Prepare
    const created = await table.put<Cursor>(
      'cursor#ext-1',
      'sync',
      { syncToken: 'a', archived: 1 },
      0,
    );

    // Act
    const duplicateCreate = await table.put(
      'cursor#ext-1',
      'sync',
      { syncToken: 'x', archived: 0 },
      0,
    );
    const update = await table.put('cursor#ext-1', 'sync', { syncToken: 'b', archived: 2 }, 1);
    const staleUpdate = await table.put('cursor#ext-1', 'sync', { syncToken: 'c', archived: 3 }, 1);
    const stored = await table.get<Cursor>('cursor#ext-1', 'sync');

    // Assess
    expect([created, duplicateCreate, update, staleUpdate]).toEqual([true, false, true, false]);
    expect(stored).toEqual({ syncToken: 'b', archived: 2, version: 2 });
  });

  it('lets exactly one of many concurrent writers of the same version win', async () => {
    // Prepare
    await table.put('checkpoint#job', 'state', { step: 0 }, 0);

    // Act
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, step) =>
        table.put('checkpoint#job', 'state', { step: step + 1 }, 1),
      ),
    );

    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await table.get<{ step: number }>('checkpoint#job', 'state');
    expect(stored?.version).toBe(2);
    expect(results[(stored?.step ?? 0) - 1]).toBe(true);
  });

  it('keeps 19-digit ids exact and treats expired items as absent', async () => {
    // Prepare
    const id = '9223372036854775807';
    await table.put('message#1', 'meta', { id }, 0);
    await table.put('temp#1', 'meta', { id }, 0, { ttlSeconds: 1 });

    // The same table seen two seconds later, instead of waiting.
    const later = createStateTable({
      tableName,
      client: dynamo.client,
      now: () => Date.now() + 2_000,
    });

    // Act
    const kept = await later.get<{ id: string }>('message#1', 'meta');
    const expired = await later.get('temp#1', 'meta');
    const recreated = await later.put('temp#1', 'meta', { id: '1' }, 0);

    // Assess
    expect(kept?.id).toBe(id);
    expect(expired).toBeUndefined();
    expect(recreated).toBe(true);
  });

  it('deletes', async () => {
    // Prepare
    await table.put('gone#1', 'x', { a: 1 }, 0);

    // Act
    await table.delete('gone#1', 'x');

    // Assess
    expect(await table.get('gone#1', 'x')).toBeUndefined();
  });

  it('grants a lease to one owner at a time until it is released or expires', async () => {
    // Prepare (a clock the test moves, so that no lease expires by the machine being slow)
    let clock = Date.now();
    const leases = createStateTable({ tableName, client: dynamo.client, now: () => clock });

    // Act
    const contenders = await Promise.all(
      ['a', 'b', 'c', 'd'].map((owner) => leases.acquireLease('token-refresh', owner, 500)),
    );
    const winner = ['a', 'b', 'c', 'd'][contenders.indexOf(true)] ?? '';
    const loser = winner === 'a' ? 'b' : 'a';
    const renewedByOwner = await leases.acquireLease('token-refresh', winner, 500);
    await leases.releaseLease('token-refresh', loser);
    const whileHeld = await leases.acquireLease('token-refresh', loser, 500);
    await leases.releaseLease('token-refresh', winner);
    const afterRelease = await leases.acquireLease('token-refresh', loser, 300);
    clock += 299;
    const beforeExpiry = await leases.acquireLease('token-refresh', winner, 300);
    clock += 1;
    const afterExpiry = await leases.acquireLease('token-refresh', winner, 300);

    // Assess
    expect(contenders.filter(Boolean)).toHaveLength(1);
    expect(renewedByOwner).toBe(true);
    expect(whileHeld).toBe(false);
    expect(afterRelease).toBe(true);
    expect(beforeExpiry).toBe(false);
    expect(afterExpiry).toBe(true);
  });
});
