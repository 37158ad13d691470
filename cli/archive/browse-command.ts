/**
 * `npm run archive:ls` and `npm run archive:cat`: the archive as the README lays it out
 * (`archive/{account}/{extension}/{yyyy}/{mm}/{dd}/{messageId}/message.json`), read over the S3
 * API. The local store's files on disk (`message.json._S3rver_object` beside metadata) are
 * s3rver's own format, not the archive's layout. Exit code 0: done; 1: no such object; 2: usage.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseOrExitCode } from '../command-line.ts';
import { CAT_USAGE, LS_USAGE, parseCatArguments, parseLsArguments } from './browse-arguments.ts';
import type { CommandIo } from './verify-command.ts';

/** Runs `archive:ls`; resolves to its exit code. */
export async function runLsCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseOrExitCode(() => parseLsArguments(argv), LS_USAGE, io);
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
  const args = parseOrExitCode(() => parseCatArguments(argv), CAT_USAGE, io);
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
