/**
 * `npm run backfill -- --from 2024-01-01 [--to ...] [--types Fax,VoiceMail]`: archives history
 * into the archive bucket through the message-store export (listing when the export is not
 * available), with a progress bar; Ctrl+C stops at once and a rerun resumes from the checkpoint.
 * What it reads from and writes to: `cli/backfill/targets.ts`. The run: `cli/backfill/command.ts`;
 * the work: `lib/backfill/run.ts`.
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../local/stack/bundles.ts';
import {
  BACKFILL_USAGE,
  BackfillUsageError,
  parseBackfillArguments,
} from './backfill/arguments.ts';

let args: ReturnType<typeof parseBackfillArguments>;
try {
  args = parseBackfillArguments(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof BackfillUsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${BACKFILL_USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${BACKFILL_USAGE}\n`);
  process.exit(0);
}

const dataDir = process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.local');
// Loaded only when used: --help and a bad option answer without the SDK clients and lib/backfill.
const { runBackfillCommand } = await import('./backfill/command.ts');
process.exit(await runBackfillCommand(args, dataDir));
