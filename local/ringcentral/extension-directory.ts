/**
 * Extensions that appear and disappear: the control tests and benchmarks use to add, remove and
 * disable extensions, and a schedule of such changes applied on the emulator's clock. The
 * schedule needs no timer: changes that have come due are applied before each request, so a test
 * with an injected clock decides exactly when the account changes.
 */

import { type ExtensionKind, extensionAt, indexOfId } from './extension-mix.ts';
import type { ExtensionStatus } from './extension-types.ts';
import type { ExtensionInfo, Mailbox } from './mailbox.ts';
import { createRandom } from './seed.ts';

/** One change to the account's extensions, `afterMs` after the emulator started. */
export type ScheduledExtensionChange =
  | { afterMs: number; add: ExtensionKind }
  | { afterMs: number; remove: string }
  | { afterMs: number; setStatus: { extensionId: string; status: ExtensionStatus } };

/** Adds, removes and changes extensions of a running emulator. */
export interface ExtensionDirectory {
  /** Adds an extension after the last one (default: an enabled user) with an empty mailbox. */
  add(kind?: ExtensionKind): ExtensionInfo;
  /** Deletes an extension and its mailbox. */
  remove(extensionId: string): void;
  /** Changes an extension's status; its mailbox stays. */
  setStatus(extensionId: string, status: ExtensionStatus): ExtensionInfo;
  /** Applies every scheduled change that has come due; returns how many it applied. */
  applyDue(): number;
}

/** The directory of `mailbox`, with `schedule` measured on `now` from the moment of creation. */
export function createExtensionDirectory(
  mailbox: Mailbox,
  schedule: readonly ScheduledExtensionChange[] = [],
  now: () => number = Date.now,
): ExtensionDirectory {
  const startedAt = now();
  const pending = [...schedule].sort((a, b) => a.afterMs - b.afterMs);
  const directory: ExtensionDirectory = {
    add(kind = { type: 'User', status: 'Enabled' }) {
      const next = Math.max(-1, ...mailbox.extensions.map((extension) => indexOfId(extension.id)));
      return mailbox.addExtension(extensionAt(next + 1, kind));
    },
    remove: (extensionId) => mailbox.removeExtension(extensionId),
    setStatus: (extensionId, status) => mailbox.setExtensionStatus(extensionId, status),
    applyDue() {
      const elapsed = now() - startedAt;
      let applied = 0;
      while (pending[0] && pending[0].afterMs <= elapsed) {
        const change = pending.shift() as ScheduledExtensionChange;
        applied += 1;
        // A change that no longer applies (an extension already removed) is skipped, not fatal.
        try {
          if ('add' in change) directory.add(change.add);
          else if ('remove' in change) directory.remove(change.remove);
          else directory.setStatus(change.setStatus.extensionId, change.setStatus.status);
        } catch {
          // The extension changed by hand since the schedule was made.
        }
      }
      return applied;
    },
  };
  return directory;
}

/** Options of {@link extensionChurn}. */
export interface ChurnOptions {
  seed: number;
  /** Extensions of the account at the start (ids 101001 ...). */
  existing: number;
  /** New users over the period. */
  added: number;
  /** Existing extensions (never the first two) deleted over the period. */
  removed: number;
  /** Length of the period in ms of the emulator's clock. */
  overMs: number;
}

/**
 * A day of churn: `added` new users and `removed` deletions at seeded moments within `overMs`,
 * the same for the same options.
 */
export function extensionChurn(options: ChurnOptions): ScheduledExtensionChange[] {
  const random = createRandom(options.seed ^ 0xc4a2);
  const changes: ScheduledExtensionChange[] = [];
  for (let index = 0; index < options.added; index += 1) {
    changes.push({
      afterMs: Math.floor(random() * options.overMs),
      add: { type: 'User', status: 'Enabled' },
    });
  }
  const candidates = Array.from(
    { length: Math.max(0, options.existing - 2) },
    (_, index) => extensionAt(index + 2).id,
  );
  for (let index = 0; index < options.removed && candidates.length > 0; index += 1) {
    const [id] = candidates.splice(Math.floor(random() * candidates.length), 1);
    if (id) changes.push({ afterMs: Math.floor(random() * options.overMs), remove: id });
  }
  return changes.sort((a, b) => a.afterMs - b.afterMs);
}
