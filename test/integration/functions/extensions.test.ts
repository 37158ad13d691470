/**
 * The extensions function (discovery) against the local RingCentral and dynalite: an admin
 * token registers the account and publishes the counts; a non-admin token is logged at error
 * and counted in the alarmed ExtensionConfigurationErrors, and the invocation still succeeds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createExtensionRegistry } from '../../../lib/aws/extension-registry.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import { DEFAULT_CREDENTIALS, type EmulatorOptions } from '../../../local/ringcentral/index.ts';
import { lambdaContext, scheduledEvent } from '../../support/events.ts';
import {
  baseEnvironment,
  type EventsHarness,
  importWithEnvironment,
  startEventsHarness,
} from './events-harness.ts';

type ExtensionsModule = typeof import('../../../functions/extensions.ts');

const harnesses: EventsHarness[] = [];

afterAll(async () => {
  await Promise.all(harnesses.map((harness) => harness.stop()));
});

/** Runs `work` with the process's output captured, as Lambda would collect it. */
async function captured(work: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const record = ((chunk: unknown) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = record;
  process.stderr.write = record;
  try {
    await work();
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
  return lines.flatMap((chunk) => chunk.split('\n')).filter((line) => line.startsWith('{'));
}

/** The function with its environment pointed at a fresh harness; logs at error, metrics on. */
async function start(emulator: EmulatorOptions) {
  const harness = await startEventsHarness({
    session: true,
    emulator: {
      mailbox: { seed: 8, extensions: 20, messagesPerExtension: 0, maxAttachmentBytes: 1_000 },
      rateLimits: { enabled: false },
      ...emulator,
    },
  });
  harnesses.push(harness);
  const environment = {
    ...baseEnvironment(harness),
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  const module: ExtensionsModule = await importWithEnvironment(
    () => import('../../../functions/extensions.ts'),
    environment,
  );
  const invoke = async () => {
    let result: Awaited<ReturnType<ReturnType<ExtensionsModule['createHandler']>>> | undefined;
    const lines = await captured(() =>
      importWithEnvironment(async () => {
        const handler = module.createHandler(module.dependenciesFromEnvironment(environment));
        result = await handler(scheduledEvent(), lambdaContext({ remainingMs: 60_000 }));
      }, environment),
    );
    return { result, lines: lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
  };
  const registry = createExtensionRegistry(
    createStateTable({ tableName: harness.tableName, client: harness.dynamo.client }),
  );
  return { harness, invoke, registry };
}

describe('the extensions function', () => {
  it('registers every extension and publishes the counts, with no configuration error', async () => {
    // Prepare
    const { harness, invoke, registry } = await start({});

    // Act
    const { result, lines } = await invoke();

    // Assess
    const ids: string[] = [];
    for await (const entry of registry.list()) ids.push(entry.id);
    expect(ids).toEqual(harness.emulator.mailbox.extensions.map((extension) => extension.id));
    expect(result?.counts).toMatchObject({ listed: 20, new: 20, gone: 0 });
    expect(result?.configurationError).toBeUndefined();
    const emf = lines.find((line) => '_aws' in line);
    expect(emf).toMatchObject({
      ExtensionsListed: 20,
      ExtensionsNew: 20,
      ExtensionsGone: 0,
      ExtensionsArchived: result?.counts?.archived,
      ExtensionConfigurationErrors: 0,
    });
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
  });

  it('logs a non-admin token at error naming the permission and counts it, without failing', async () => {
    // Prepare
    const { invoke } = await start({
      logins: [{ jwt: DEFAULT_CREDENTIALS.jwt, extensionId: '101001', admin: false }],
    });

    // Act
    const { result, lines } = await invoke();

    // Assess
    expect(result?.configurationError?.permission).toBe('ReadExtensions');
    const errors = lines.filter((line) => line.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.message)).toMatch(/ReadAccounts.*ReadExtensions/);
    expect(lines.find((line) => '_aws' in line)).toMatchObject({
      ExtensionConfigurationErrors: 1,
    });
  });
});
