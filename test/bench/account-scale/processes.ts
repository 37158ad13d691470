/**
 * The account-scale bench's processes on the simulated clock: each is a generator yielding the
 * RingCentral requests it makes (and its pauses), run by the simulation one step at a time as the
 * shared budget allows. They follow the deployed functions: archive-export's run
 * (lib/extensions/account-export.ts), the archive worker's per-extension ISync and its webhook
 * hand-off (lib/archive), discovery, and a send.
 */
import type { ExtensionEntry } from '../../../lib/extensions/ports.ts';
import { isArchivedAndPresent } from '../../../lib/extensions/schedule.ts';
import type { Group } from './ringcentral-model.ts';
import type { SimMessage } from './workload.ts';

/** One step: a request of a group (its duration once answered), or a pause. */
export type Step = { group: Group; purpose: string; seconds: number } | { sleep: number };

/** What the processes read and change: the simulation's state. */
export interface SimState {
  now(): number;
  entries: Map<string, ExtensionEntry>;
  /** ISync cursors: the simulated second of each extension's last sync. */
  cursors: Map<string, number>;
  /** When each message's message.json landed. */
  archivedAt: Map<string, number>;
  /** Messages created so far, by extension, in creation order. */
  arrived: Map<string, SimMessage[]>;
  /** Every message created so far, in creation order. */
  arrivedAll: SimMessage[];
  /** The export's cursor: the second through which it covered the account. */
  exportCovered: number;
  iso(second: number): string;
}

const LATENCY = 0.3;
/** Throughput of a download or a zip into S3, bytes per second. */
const BYTES_PER_SECOND = 20e6;
/** Records per ISync page. */
const SYNC_PAGE = 250;

function archive(state: SimState, message: SimMessage): void {
  if (!state.archivedAt.has(message.id)) state.archivedAt.set(message.id, state.now());
}

/** Downloads what is not archived yet (Medium per attachment), then writes message.json. */
function* archiveRecords(state: SimState, records: readonly SimMessage[]): Generator<Step> {
  for (const message of records) {
    if (state.archivedAt.has(message.id)) continue;
    for (const bytes of message.attachmentBytes) {
      yield { group: 'Medium', purpose: 'download', seconds: LATENCY + bytes / BYTES_PER_SECOND };
    }
    archive(state, message);
  }
}

/** One extension's ISync (lib/archive/archiver.ts): records since the cursor, then progress. */
export function* syncExtension(state: SimState, id: string): Generator<Step> {
  const since = state.cursors.get(id) ?? -1;
  yield { group: 'Light', purpose: 'sync', seconds: LATENCY };
  const syncTime = state.now();
  const records = (state.arrived.get(id) ?? []).filter(
    (message) => message.createdAt > since && message.createdAt <= syncTime,
  );
  for (let page = SYNC_PAGE; page < records.length; page += SYNC_PAGE) {
    yield { group: 'Light', purpose: 'sync', seconds: LATENCY };
  }
  yield* archiveRecords(state, records);
  state.cursors.set(id, syncTime);
  const entry = state.entries.get(id);
  if (!entry) return;
  entry.completeThrough = state.iso(syncTime);
  entry.lastRunAt = state.iso(state.now());
  if (
    entry.changedAt !== undefined &&
    Date.parse(entry.changedAt) <= Date.parse(entry.completeThrough)
  ) {
    delete entry.changedAt;
  }
}

/** The webhook's hand-off: the new message read (Light) and archived, the cursor left alone. */
export function* archiveHandoff(state: SimState, message: SimMessage): Generator<Step> {
  yield { group: 'Light', purpose: 'handoff', seconds: LATENCY };
  yield* archiveRecords(state, [message]);
}

/** Options of an export run. */
export interface ExportRunOptions {
  settleSeconds: number;
  overlapSeconds: number;
  /** Seconds RingCentral takes to build a task, and per message in it. */
  taskBaseSeconds: number;
  taskSecondsPerMessage: number;
}

/** Polls with the backfill's backoff (0.5 s doubling to 10 s) until the task is done. */
function* awaitTask(state: SimState, readyAt: number): Generator<Step> {
  let interval = 0.5;
  for (;;) {
    yield { sleep: interval };
    yield { group: 'Heavy', purpose: 'export', seconds: LATENCY };
    if (state.now() >= readyAt) return;
    interval = Math.min(10, interval * 2);
  }
}

/** One archive-export run: create, poll, list, the zips, then the cursor and the registry. */
export function* exportRun(state: SimState, options: ExportRunOptions): Generator<Step> {
  const dateTo = state.now() - options.settleSeconds;
  const dateFrom = state.exportCovered - options.overlapSeconds;
  yield { group: 'Heavy', purpose: 'export', seconds: LATENCY };
  const inRange = state.arrivedAll.filter(
    (message) => message.createdAt >= dateFrom && message.createdAt <= dateTo,
  );
  yield* awaitTask(
    state,
    state.now() + options.taskBaseSeconds + inRange.length * options.taskSecondsPerMessage,
  );
  yield { group: 'Heavy', purpose: 'export', seconds: LATENCY };
  const bytes = inRange.reduce((sum, m) => sum + m.attachmentBytes.reduce((a, b) => a + b, 0), 0);
  const zips = 1 + Math.ceil(bytes / 1e9);
  for (let zip = 0; zip < zips; zip += 1) {
    const share = zip === 0 ? inRange.length * 1_000 : bytes / (zips - 1);
    yield { group: 'Heavy', purpose: 'export', seconds: LATENCY + share / BYTES_PER_SECOND };
  }
  // message.json and locator writes beside the stream: a few ms each.
  yield { sleep: inRange.length * 0.002 };
  for (const message of inRange) archive(state, message);
  state.exportCovered = dateTo;
  for (const entry of state.entries.values()) {
    if (isArchivedAndPresent(entry)) entry.exportedThrough = state.iso(dateTo);
  }
}

/** Discovery: the extension list, pages of 1,000 (Medium). */
export function* discoveryRun(pages: number): Generator<Step> {
  for (let page = 0; page < pages; page += 1) {
    yield { group: 'Medium', purpose: 'discovery', seconds: LATENCY };
  }
}

/** A send (Medium), through the same user's budget. */
export function* sendRun(): Generator<Step> {
  yield { group: 'Medium', purpose: 'send', seconds: 1 };
}
