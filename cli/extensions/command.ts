/**
 * The extensions command: parses, opens the targets, runs list / policy / discover and prints.
 * Returns the exit code: 0 done, 1 failed, 2 bad usage or nothing to talk to.
 */
import { InvalidArchivePolicyError } from '../../lib/extensions/errors.ts';
import { parseArchivePolicy } from '../../lib/extensions/policy.ts';
import type { ArchivePolicy, ExtensionEntry } from '../../lib/extensions/ports.ts';
import {
  type ExtensionsArguments,
  type ExtensionsRequest,
  parseExtensionsOrExitCode,
} from './arguments.ts';
import {
  type ExtensionsTargets,
  ExtensionsTargetsError,
  openExtensionsTargets,
} from './targets.ts';

/** Where the command reads its settings and writes its output. */
export interface CommandIo {
  env: NodeJS.ProcessEnv;
  /** The local stack's data directory (its stack.json). */
  dataDir: string;
  print(line: string): void;
  printError(line: string): void;
}

/** Runs `npm run extensions -- <argv>`; resolves to the exit code. */
export async function runExtensionsCommand(
  argv: readonly string[],
  io: CommandIo,
): Promise<number> {
  const args = parseExtensionsOrExitCode(argv, io);
  return typeof args === 'number' ? args : runParsedExtensionsCommand(args, io);
}

/** Runs a parsed command line (not `--help`); resolves to the exit code. */
export async function runParsedExtensionsCommand(
  args: ExtensionsRequest,
  io: CommandIo,
): Promise<number> {
  try {
    const targets = await openExtensionsTargets(io.env, io.dataDir);
    io.print(targets.description);
    if (args.command === 'list') await list(targets, io);
    else if (args.command === 'policy') await policy(targets, args, io);
    else io.print(`Discovery: ${JSON.stringify(await targets.discover())}`);
    return 0;
  } catch (error) {
    if (error instanceof ExtensionsTargetsError || error instanceof InvalidArchivePolicyError) {
      io.printError(error.message);
      return 2;
    }
    io.printError(`${(error as Error).name}: ${(error as Error).message}`);
    return 1;
  }
}

async function list(targets: ExtensionsTargets, io: CommandIo): Promise<void> {
  let total = 0;
  let archived = 0;
  let gone = 0;
  for await (const entry of targets.registry.list()) {
    total += 1;
    if (entry.archived && !entry.goneSince) archived += 1;
    if (entry.goneSince) gone += 1;
    io.print(formatEntry(entry));
  }
  io.print(
    `${total} extensions: ${archived} archived, ${total - archived - gone} skipped, ${gone} gone`,
  );
}

/** `101003  103  FaxUser  Enabled  archived  complete through ...`: one line per entry. */
export function formatEntry(entry: ExtensionEntry): string {
  const decision = entry.goneSince
    ? `gone since ${entry.goneSince}`
    : entry.archived
      ? 'archived'
      : `skipped (${entry.skipReason ?? 'policy'})`;
  const progress = [
    entry.completeThrough ? `complete through ${entry.completeThrough}` : undefined,
    entry.permissionError ? `PERMISSION: ${entry.permissionError}` : undefined,
    entry.lastError ? `error: ${entry.lastError}` : undefined,
  ].filter(Boolean);
  return [
    entry.id.padEnd(12),
    (entry.extensionNumber ?? '').padEnd(6),
    entry.type.padEnd(16),
    entry.status.padEnd(12),
    decision,
    ...progress,
  ].join(' ');
}

async function policy(
  targets: ExtensionsTargets,
  args: Extract<ExtensionsArguments, { command: 'policy' }>,
  io: CommandIo,
): Promise<void> {
  const adding = Object.values(args.add).some((values) => values.length > 0);
  if (adding || args.reset) {
    const stored = args.reset ? {} : await targets.policies.read();
    const merged: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(args.add)) {
      merged[key] = [...(stored[key as keyof ArchivePolicy] ?? []), ...values];
    }
    await targets.policies.write(parseArchivePolicy(merged));
    io.print('Policy written; the next discovery applies it.');
  }
  io.print(formatPolicy(await targets.policies.read()));
}

/** The policy in words, the default named when there is no rule. */
export function formatPolicy(policy: ArchivePolicy): string {
  const rules = Object.entries(policy)
    .filter(([, values]) => values && values.length > 0)
    .map(([key, values]) => `  ${key}: ${(values as string[]).join(', ')}`);
  const base = 'Every extension whose type has a mailbox, whatever its status';
  return rules.length === 0
    ? `Policy: ${base} (default)`
    : `Policy: ${base}, then\n${rules.join('\n')}`;
}
