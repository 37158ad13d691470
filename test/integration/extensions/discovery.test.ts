/**
 * Discovery against the local RingCentral (a realistic account, extensions appearing and
 * disappearing, a non-admin token) and the registry on dynalite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createArchivePolicyStore,
  createExtensionRegistry,
} from '../../../lib/aws/extension-registry.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import { discoverExtensions } from '../../../lib/extensions/discovery.ts';
import { ExtensionsConfigurationError } from '../../../lib/extensions/errors.ts';
import { MAILBOX_TYPES } from '../../../lib/extensions/policy.ts';
import type { ExtensionEntry, ExtensionRegistry } from '../../../lib/extensions/ports.ts';
import { DEFAULT_CREDENTIALS, type EmulatorOptions } from '../../../local/ringcentral/index.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';
import { startDynalite } from '../../support/dynalite.ts';
import { type ClientHarness, startClientHarness } from '../client/client-harness.ts';

const HOUR = 3_600_000;

async function entries(registry: ExtensionRegistry): Promise<Map<string, ExtensionEntry>> {
  const byId = new Map<string, ExtensionEntry>();
  for await (const entry of registry.list()) byId.set(entry.id, entry);
  return byId;
}

describe('discovery of the account extensions', () => {
  let dynamo: LocalDynamo;
  const harnesses: ClientHarness[] = [];

  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await Promise.all(harnesses.map((harness) => harness.stop()));
    await dynamo.stop();
  });

  async function setUp(options: EmulatorOptions = {}) {
    const harness = await startClientHarness({
      mailbox: { seed: 3, extensions: 30, messagesPerExtension: 0, maxAttachmentBytes: 1_000 },
      ...options,
    });
    harnesses.push(harness);
    const table = createStateTable({
      tableName: await dynamo.createStateTable(),
      client: dynamo.client,
    });
    const registry = createExtensionRegistry(table);
    const policies = createArchivePolicyStore(table);
    let clock = Date.parse('2026-03-01T00:00:00.000Z');
    const discover = () =>
      discoverExtensions({
        extensions: harness.rc.extensions,
        registry,
        policies,
        now: () => clock,
      });
    return { harness, registry, policies, discover, tick: () => (clock += HOUR) };
  }

  it('registers every extension of a realistic account, archiving each type with a mailbox', async () => {
    // Prepare
    const { harness, registry, discover } = await setUp();
    const account = harness.emulator.mailbox.extensions;

    // Act
    const { counts, configurationError } = await discover();

    // Assess
    const stored = await entries(registry);
    expect(configurationError).toBeUndefined();
    expect([...stored.keys()].sort()).toEqual(account.map((extension) => extension.id).sort());
    const archivedIds = account
      .filter((extension) => MAILBOX_TYPES.includes(extension.type))
      .map((extension) => extension.id);
    expect([...stored.values()].filter((e) => e.archived).map((e) => e.id)).toEqual(
      archivedIds.sort(),
    );
    for (const status of ['Disabled', 'Frozen']) {
      const asleep = account.find((extension) => extension.status === status);
      expect(stored.get(asleep?.id ?? '')?.archived).toBe(true);
    }
    const ivr = account.find((extension) => extension.type === 'IvrMenu');
    expect(stored.get(ivr?.id ?? '')).toMatchObject({
      archived: false,
      skipReason: 'type IvrMenu has no mailbox',
    });
    const skipped = Object.values(counts.skipped).reduce((sum, count) => sum + count, 0);
    expect(counts).toMatchObject({ listed: 30, new: 30, gone: 0, returned: 0 });
    expect(counts.archived + skipped).toBe(30);
    expect(counts.archived).toBe(archivedIds.length);
  });

  it('marks a removed extension gone, keeps its progress, and clears it when it returns', async () => {
    // Prepare
    const { harness, registry, policies, discover, tick } = await setUp();
    await discover();
    await registry.recordProgress('101004', {
      lastRunAt: '2026-03-01T00:30:00.000Z',
      completeThrough: '2026-03-01T00:29:00.000Z',
    });
    const removed = harness.emulator.mailbox.extensions.find((e) => e.id === '101004');
    await policies.write({ excludeIds: ['101002'] });

    // Act
    harness.emulator.extensions.remove('101004');
    const added = harness.emulator.extensions.add({ type: 'FaxUser', status: 'Enabled' });
    tick();
    const second = await discover();
    const gone = await registry.get('101004');
    tick();
    const third = await discover();
    const stillGone = await registry.get('101004');
    const back = removed ? harness.emulator.mailbox.addExtension(removed) : undefined;
    tick();
    const fourth = await discover();

    // Assess
    expect(second.counts).toMatchObject({ listed: 30, new: 1, gone: 1, returned: 0 });
    expect(second.counts.skipped['excluded by id']).toBe(1);
    expect(gone).toMatchObject({
      goneSince: '2026-03-01T01:00:00.000Z',
      lastSeen: '2026-03-01T00:00:00.000Z',
      completeThrough: '2026-03-01T00:29:00.000Z',
    });
    expect(third.counts).toMatchObject({ new: 0, gone: 0, returned: 0 });
    expect(stillGone?.goneSince).toBe('2026-03-01T01:00:00.000Z');
    expect(back?.id).toBe('101004');
    expect(fourth.counts).toMatchObject({ listed: 31, new: 0, gone: 0, returned: 1 });
    const returned = await registry.get('101004');
    expect(returned?.goneSince).toBeUndefined();
    expect(returned).toMatchObject({
      firstSeen: '2026-03-01T00:00:00.000Z',
      lastSeen: '2026-03-01T03:00:00.000Z',
    });
    expect((await registry.get(added.id))?.firstSeen).toBe('2026-03-01T01:00:00.000Z');
    expect((await registry.get('101002'))?.archived).toBe(false);
  });

  it('turns a non-admin token into a configuration error naming the permission, after registering the list', async () => {
    // Prepare
    const { registry, discover } = await setUp({
      logins: [{ jwt: DEFAULT_CREDENTIALS.jwt, extensionId: '101001', admin: false }],
    });

    // Act
    const { counts, configurationError } = await discover();

    // Assess
    expect(configurationError).toBeInstanceOf(ExtensionsConfigurationError);
    expect(configurationError?.permission).toBe('ReadExtensions');
    expect(configurationError?.message).toMatch(/ReadAccounts.*ReadExtensions/);
    expect(counts.listed).toBe(30);
    expect((await entries(registry)).size).toBe(30);
  });
});
