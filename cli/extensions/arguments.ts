/**
 * The extensions command's arguments: `list`, `policy [--include-type T] [--exclude-type T]
 * [--include-id N] [--exclude-id N] [--reset]`, `discover`; `--help` anywhere.
 */
import type { ArchivePolicy } from '../../lib/extensions/ports.ts';

/** A parsed command line. */
export type ExtensionsArguments =
  | { command: 'help' }
  | { command: 'list' }
  | { command: 'discover' }
  | {
      command: 'policy';
      /** Rules to add to the stored policy (after clearing it, with `reset`). */
      add: Required<ArchivePolicy>;
      reset: boolean;
    };

/** A command line to run: anything but `--help`. */
export type ExtensionsRequest = Exclude<ExtensionsArguments, { command: 'help' }>;

/** A command line the command cannot run with; the message says what to fix. */
export class ExtensionsUsageError extends Error {
  override readonly name = 'ExtensionsUsageError';
}

/** How to call the command. */
export const EXTENSIONS_USAGE = `Usage: npm run extensions -- list
       npm run extensions -- policy [--include-type T] [--exclude-type T] [--include-id N]
                                    [--exclude-id N] [--reset]
       npm run extensions -- discover

  list      every extension the registry knows: type, status, archived or why not, progress
  policy    shows the archive policy; with options, adds rules to it (--reset: start from the
            default, every extension whose type has a mailbox). An id rule wins over a type
            rule, exclude wins over include. Options repeat or take comma lists.
  discover  runs discovery now (the extensions function) and prints its counts

Against the running npm start by default; STATE_TABLE_NAME (and the usual AWS settings) for a
deployment, with EXTENSIONS_FUNCTION_NAME for discover.`;

const RULE_OPTIONS = {
  '--include-type': 'includeTypes',
  '--exclude-type': 'excludeTypes',
  '--include-id': 'includeIds',
  '--exclude-id': 'excludeIds',
} as const;

/** Parses the arguments after `npm run extensions --`. */
export function parseExtensionsArguments(argv: readonly string[]): ExtensionsArguments {
  if (argv.includes('--help') || argv.includes('-h')) return { command: 'help' };
  const [command, ...rest] = argv;
  if (command === 'list' || command === 'discover') {
    if (rest.length > 0) throw new ExtensionsUsageError(`${command} takes no option: ${rest[0]}`);
    return { command };
  }
  if (command !== 'policy') {
    throw new ExtensionsUsageError(
      command === undefined ? 'Which command?' : `Unknown command: ${command}`,
    );
  }
  const add: Required<ArchivePolicy> = {
    includeTypes: [],
    excludeTypes: [],
    includeIds: [],
    excludeIds: [],
  };
  let reset = false;
  for (let index = 0; index < rest.length; index += 1) {
    const option = rest[index] ?? '';
    if (option === '--reset') {
      reset = true;
      continue;
    }
    const [name, inline] = option.split('=', 2) as [string, string | undefined];
    if (!(name in RULE_OPTIONS)) throw new ExtensionsUsageError(`Unknown option: ${name}`);
    const value = inline ?? rest[++index];
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new ExtensionsUsageError(`${name} needs a value`);
    }
    const key = RULE_OPTIONS[name as keyof typeof RULE_OPTIONS];
    add[key] = [...add[key], ...value.split(',').filter(Boolean)];
  }
  return { command: 'policy', add, reset };
}

/**
 * What a command line asks for, or the exit code after answering it at once: 0 after printing the
 * usage for `--help`, 2 after one line and the usage for a mistake.
 */
export function parseExtensionsOrExitCode(
  argv: readonly string[],
  io: { print(line: string): void; printError(line: string): void },
): ExtensionsRequest | 0 | 2 {
  let args: ExtensionsArguments;
  try {
    args = parseExtensionsArguments(argv);
  } catch (error) {
    if (!(error instanceof ExtensionsUsageError)) throw error;
    io.printError(`${error.message}\n\n${EXTENSIONS_USAGE}`);
    return 2;
  }
  if (args.command !== 'help') return args;
  io.print(EXTENSIONS_USAGE);
  return 0;
}
