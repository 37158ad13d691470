/**
 * Purge follows the extension registry with the archive's rule: no extension waits behind
 * another. It takes the archived, present extensions the longest-waiting first (`lastPurgeAt`,
 * never purged first; lib/extensions/schedule.ts) and records `lastPurgeAt` for each one it
 * finished, so a run cut short by its deadline is resumed by the next with the ones it missed.
 */
import type { ExtensionRegistry } from '../extensions/ports.ts';
import { purgeOrder } from '../extensions/schedule.ts';
import type { PurgeReport } from './report.ts';

/** The ids to purge, in order. */
export async function extensionsToPurge(
  registry: Pick<ExtensionRegistry, 'list'>,
): Promise<string[]> {
  const entries = [];
  for await (const entry of registry.list()) entries.push(entry);
  return purgeOrder(entries).map((entry) => entry.id);
}

/**
 * Records `lastPurgeAt = at` for every extension the report shows finished: not stopped by the
 * deadline or an error, and not truncated (more candidates than one run takes).
 */
export async function recordPurged(
  registry: Pick<ExtensionRegistry, 'recordProgress'>,
  report: Pick<PurgeReport, 'extensions'>,
  at: string,
): Promise<string[]> {
  const finished = report.extensions
    .filter((summary) => summary.stopped !== 'deadline' && summary.stopped !== 'error')
    .filter((summary) => !summary.truncated)
    .map((summary) => summary.extension);
  for (const id of finished) await registry.recordProgress(id, { lastPurgeAt: at });
  return finished;
}
