import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createArchivePolicyStore,
  createExtensionRegistry,
} from '../../../lib/aws/extension-registry.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import {
  ExtensionNotRegisteredError,
  InvalidArchivePolicyError,
} from '../../../lib/extensions/errors.ts';
import type { ExtensionEntry, ExtensionRegistry } from '../../../lib/extensions/ports.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';
import { startDynalite } from '../../support/dynalite.ts';

type Discovered = Parameters<ExtensionRegistry['putDiscovered']>[0];

const discovered = (id: string, overrides: Partial<Discovered> = {}): Discovered => ({
  id,
  extensionNumber: id.slice(-3),
  name: `User ${id}`,
  type: 'User',
  status: 'Enabled',
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:00:00.000Z',
  archived: true,
  ...overrides,
});

async function all(registry: ExtensionRegistry): Promise<ExtensionEntry[]> {
  const entries: ExtensionEntry[] = [];
  for await (const entry of registry.list()) entries.push(entry);
  return entries;
}

describe('the extension registry on the state table (dynalite)', () => {
  let dynamo: LocalDynamo;
  const fresh = async (pageSize?: number) => {
    const table = createStateTable({
      tableName: await dynamo.createStateTable(),
      client: dynamo.client,
    });
    return {
      registry: createExtensionRegistry(table, { pageSize }),
      policies: createArchivePolicyStore(table),
    };
  };

  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  it('keeps firstSeen and every progress field when discovery writes again', async () => {
    // Prepare
    const { registry } = await fresh();
    await registry.putDiscovered(discovered('101001'));
    await registry.recordProgress('101001', {
      lastRunAt: '2026-01-01T01:00:00.000Z',
      completeThrough: '2026-01-01T00:59:00.000Z',
      lastError: 'TransportError: reset',
    });

    // Act
    await registry.putDiscovered(
      discovered('101001', {
        firstSeen: '2026-01-02T00:00:00.000Z',
        lastSeen: '2026-01-02T00:00:00.000Z',
        status: 'Disabled',
        name: undefined,
        goneSince: '2026-01-02T00:00:00.000Z',
      }),
    );

    // Assess
    expect(await registry.get('101001')).toEqual({
      id: '101001',
      extensionNumber: '001',
      type: 'User',
      status: 'Disabled',
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastSeen: '2026-01-02T00:00:00.000Z',
      goneSince: '2026-01-02T00:00:00.000Z',
      archived: true,
      lastRunAt: '2026-01-01T01:00:00.000Z',
      completeThrough: '2026-01-01T00:59:00.000Z',
      lastError: 'TransportError: reset',
    });
  });

  it('loses neither discovery nor progress when both write the same entries at once', async () => {
    // Prepare
    const { registry } = await fresh();
    const ids = Array.from({ length: 20 }, (_, index) => String(200_001 + index));
    await Promise.all(ids.map((id) => registry.putDiscovered(discovered(id))));

    // Act
    await Promise.all(
      ids.flatMap((id, index) => [
        registry.putDiscovered(
          discovered(id, { lastSeen: '2026-01-03T00:00:00.000Z', status: 'Frozen' }),
        ),
        registry.recordProgress(id, {
          lastRunAt: `2026-01-03T00:00:${String(index).padStart(2, '0')}.000Z`,
          completeThrough: '2026-01-02T23:00:00.000Z',
        }),
        registry.markChanged(id, '2026-01-03T00:30:00.000Z'),
      ]),
    );

    // Assess
    const entries = await all(registry);
    expect(entries).toHaveLength(20);
    for (const [index, entry] of entries.entries()) {
      expect(entry).toMatchObject({
        id: ids[index],
        status: 'Frozen',
        lastSeen: '2026-01-03T00:00:00.000Z',
        firstSeen: '2026-01-01T00:00:00.000Z',
        lastRunAt: `2026-01-03T00:00:${String(index).padStart(2, '0')}.000Z`,
        completeThrough: '2026-01-02T23:00:00.000Z',
        changedAt: '2026-01-03T00:30:00.000Z',
      });
    }
  });

  it('lists every entry across Query pages, in sort-key order', async () => {
    // Prepare
    const { registry } = await fresh(3);
    const ids = ['101001', '101002', '101003', '101004', '101005', '101006', '101007'];
    for (const id of [...ids].reverse()) await registry.putDiscovered(discovered(id));

    // Act
    const listed = (await all(registry)).map((entry) => entry.id);

    // Assess
    expect(listed).toEqual(ids);
  });

  it('keeps the earliest unhandled change and clears only a change the run covered', async () => {
    // Prepare
    const { registry } = await fresh();
    await registry.putDiscovered(discovered('101001'));
    await registry.markChanged('101001', '2026-01-01T10:00:00.000Z');

    // Act
    await registry.markChanged('101001', '2026-01-01T11:00:00.000Z');
    const afterLater = (await registry.get('101001'))?.changedAt;
    await registry.markChanged('101001', '2026-01-01T09:00:00.000Z');
    const afterEarlier = (await registry.get('101001'))?.changedAt;
    await registry.recordProgress('101001', {
      lastRunAt: '2026-01-01T12:00:00.000Z',
      completeThrough: '2026-01-01T08:00:00.000Z',
      changedAt: null,
    });
    const afterOlderRun = (await registry.get('101001'))?.changedAt;
    await registry.recordProgress('101001', {
      lastRunAt: '2026-01-01T13:00:00.000Z',
      completeThrough: '2026-01-01T12:59:00.000Z',
      changedAt: null,
      lastError: null,
    });

    // Assess
    expect(afterLater).toBe('2026-01-01T10:00:00.000Z');
    expect(afterEarlier).toBe('2026-01-01T09:00:00.000Z');
    expect(afterOlderRun).toBe('2026-01-01T09:00:00.000Z');
    expect((await registry.get('101001'))?.changedAt).toBeUndefined();
  });

  it('refuses progress and changes of an extension discovery never wrote', async () => {
    // Prepare
    const { registry } = await fresh();

    // Act
    const progress = registry.recordProgress('999', { lastRunAt: '2026-01-01T00:00:00.000Z' });
    const change = registry.markChanged('999', '2026-01-01T00:00:00.000Z');

    // Assess
    await expect(progress).rejects.toBeInstanceOf(ExtensionNotRegisteredError);
    await expect(change).rejects.toBeInstanceOf(ExtensionNotRegisteredError);
    expect(await registry.get('999')).toBeUndefined();
  });

  it('stores the policy validated, reads the default when none was written', async () => {
    // Prepare
    const { policies } = await fresh();
    const before = await policies.read();

    // Act
    await policies.write({ excludeTypes: ['User', 'User'], includeIds: ['101005'] });
    const written = await policies.read();
    await policies.write({ includeTypes: ['IvrMenu'] });
    const replaced = await policies.read();
    const invalid = policies.write({ includeTypes: ['Robot'] });

    // Assess
    expect(before).toEqual({});
    expect(written).toEqual({ excludeTypes: ['User'], includeIds: ['101005'] });
    expect(replaced).toEqual({ includeTypes: ['IvrMenu'] });
    await expect(invalid).rejects.toBeInstanceOf(InvalidArchivePolicyError);
    expect(await policies.read()).toEqual({ includeTypes: ['IvrMenu'] });
  });
});
