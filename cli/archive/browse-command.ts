/**
 * `npm run archive:ls` and `npm run archive:cat`: the archive as the README lays it out
 * (`archive/{account}/{extension}/{yyyy}/{mm}/{dd}/{messageId}/message.json`), read over the S3
 * API. The local store's files on disk (`message.json._S3rver_object` beside metadata) are
 * s3rver's own format, not the archive's layout. Exit code 0: done; 1: no such object; 2: usage.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseCommandLine, parseOrExitCode, UsageError } from '../command-line.ts';
import type { CommandIo } from './verify-command.ts';

/** How to call `archive:ls`. */
export const LS_USAGE = `Usage: npm run archive:ls -- [<prefix>] [--bucket <name>]

  Lists the archive's keys under <prefix> (default: everything) with their sizes, one a line,
  e.g. npm run archive:ls -- archive/400131880008/101001/2026/
  --bucket  a deployment's archive bucket (AWS_REGION and credentials from the environment).
            Default: the running npm start's archive
  --help    this text`;

/** How to call `archive:cat`. */
export const CAT_USAGE = `Usage: npm run archive:cat -- <key> [--bucket <name>]

  Writes one archived object (a message.json, an attachment) to stdout, e.g.
  npm run archive:cat -- archive/400131880008/101001/2026/12/06/1724099032020/message.json
  --bucket  as for archive:ls
  --help    this text`;

function parse(argv: readonly string[], usage: string) {
  const { values, positionals } = parseCommandLine(argv, { bucket: { type: 'string' } }, true);
  if (positionals.length > 1) throw new UsageError(`Unexpected argument ${positionals[1]}`);
  return { bucket: values.bucket, path: positionals[0], help: values.help === true, usage };
}

/** Runs `archive:ls`; resolves to its exit code. */
export async function runLsCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseOrExitCode(() => parse(argv, LS_USAGE), LS_USAGE, io);
  if (typeof args === 'number') return args;
  const targets = await io.open(args.bucket);
  try {
    let count = 0;
    for await (const object of targets.reader.list(args.path ?? '')) {
      io.stdout(`${String(object.size).padStart(10)}  ${object.key}`);
      count += 1;
    }
    io.stderr(`${count} objects under ${args.path || '/'} in ${targets.description}\n`);
    return 0;
  } finally {
    targets.close();
  }
}

/** Runs `archive:cat`, writing the object's bytes to `output`; resolves to its exit code. */
export async function runCatCommand(
  argv: readonly string[],
  io: CommandIo,
  output: Writable,
): Promise<number> {
  const args = parseOrExitCode(
    () => {
      const parsed = parse(argv, CAT_USAGE);
      if (!parsed.help && !parsed.path) throw new UsageError('<key> is required');
      return parsed;
    },
    CAT_USAGE,
    io,
  );
  if (typeof args === 'number') return args;
  const targets = await io.open(args.bucket);
  try {
    const body = await targets.reader.open(args.path ?? '');
    if (!body) {
      io.stderr(
        `No object ${args.path} in ${targets.description}; npm run archive:ls lists them\n`,
      );
      return 1;
    }
    await pipeline(body, output, { end: false });
    return 0;
  } finally {
    targets.close();
  }
}
