/**
 * The command-line tools' shared handling of a wrong command line: one line saying what is wrong,
 * then the usage, on stderr, exit code 2; never a stack trace.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A command line the tool cannot run with; the message is one line saying what to fix. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `parseArgs` in strict mode, its ERR_PARSE_ARGS_* errors turned into a {@link UsageError} with
 * their first sentence (`Unknown option '--prot'`), and `--help` always known.
 */
export function parseCommandLine<T extends Options>(
  argv: readonly string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean' } } as T & { help: { type: 'boolean' } },
      strict: true,
      allowPositionals,
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw error;
    const message = (error as Error).message;
    throw new UsageError(message.split(/\.\s/)[0] ?? message, { cause: error });
  }
}

/** Writes the one line and the usage to stderr; returns the exit code 2. */
export function usageFailure(stderr: (text: string) => void, message: string, usage: string): 2 {
  stderr(`${message}\n\n${usage}\n`);
  return 2;
}

/**
 * For a command run as a function (the archive tools): what `parse` returns, or the exit code the
 * command ends with at once, after writing the usage: 0 on `stdout` for `--help`, 2 on `stderr`
 * after one line for a {@link UsageError}.
 */
export function parseOrExitCode<T extends { help: boolean }>(
  parse: () => T,
  usage: string,
  io: { stdout(line: string): void; stderr(text: string): void },
): T | 0 | 2 {
  let parsed: T;
  try {
    parsed = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageFailure(io.stderr, error.message, usage);
  }
  if (!parsed.help) return parsed;
  io.stdout(usage);
  return 0;
}

/**
 * For a tool's top level: returns what `parse` (usually {@link parseCommandLine}) returns, or exits
 * with the usage: 0 on stdout for `--help`, 2 on stderr after one line for a {@link UsageError}.
 */
export function parseOrExit<T extends { values: { help?: boolean | undefined } }>(
  parse: () => T,
  usage: string,
): T {
  let parsed: T;
  try {
    parsed = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.exit(usageFailure((text) => process.stderr.write(text), error.message, usage));
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed;
}

/** Single-quotes a value for a POSIX shell (a banner's ready-to-paste commands). */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
