/**
 * How long each function may run, how much memory it gets and how many copies may run at once.
 * No CDK import here, so `npm start` (local/stack) runs the functions with exactly these limits
 * without loading aws-cdk-lib.
 */
import type { FunctionName } from './function-names.ts';

/** The limits of one function. */
export interface FunctionSettings {
  /** Seconds one invocation may run before Lambda (or `npm start`) stops it. */
  timeoutSeconds: number;
  /** Memory in MB; on Lambda it also sets the CPU share. */
  memoryMb: number;
  /** Reserved concurrency, for jobs that must never overlap; unset: the account's pool. */
  reservedConcurrency?: number;
  /**
   * Processes `npm start` runs at once for a function without reserved concurrency (Lambda's
   * pool has no counterpart on one machine). Default {@link DEFAULT_LOCAL_CONCURRENCY}.
   */
  localConcurrency?: number;
}

/** Processes `npm start` runs at once for a function that sets neither concurrency. */
export const DEFAULT_LOCAL_CONCURRENCY = 4;

/** Every function's limits, by name. */
export const FUNCTION_SETTINGS: Readonly<Record<FunctionName, FunctionSettings>> = {
  'send-sms': { timeoutSeconds: 30, memoryMb: 256 },
  'send-pager': { timeoutSeconds: 30, memoryMb: 256 },
  'send-fax': { timeoutSeconds: 30, memoryMb: 512 },
  'get-message': { timeoutSeconds: 30, memoryMb: 256 },
  // Up to 10,000 recipients (a body of up to 6 MB) validated and sent in one request.
  'send-sms-batch': { timeoutSeconds: 30, memoryMb: 512 },
  'get-sms-batch': { timeoutSeconds: 30, memoryMb: 256 },
  // The status watch: its check slot, not its concurrency, bounds what it reads (at most one
  // check per 20 s); a notification that finds the slot taken only writes one item.
  'message-status': { timeoutSeconds: 60, memoryMb: 256, localConcurrency: 1 },
  webhook: { timeoutSeconds: 10, memoryMb: 256 },
  // The deployment's one token refresher (DESIGN.md, invariant 5).
  'token-refresh': { timeoutSeconds: 60, memoryMb: 256, reservedConcurrency: 1 },
  'subscription-keeper': { timeoutSeconds: 60, memoryMb: 256, localConcurrency: 1 },
  alert: { timeoutSeconds: 60, memoryMb: 256, localConcurrency: 2 },
  // The archive worker: its reserved concurrency bounds the dispatcher's fan-out (one batch per
  // copy). A run ends before the next dispatch (every 5 minutes), so the next one does not hand
  // an extension to a second worker while the first still archives it.
  archive: { timeoutSeconds: 4 * 60, memoryMb: 1024, reservedConcurrency: 4 },
  // One dispatch at a time: it reads the registry and queues at most one batch per worker.
  'archive-dispatch': { timeoutSeconds: 60, memoryMb: 256, reservedConcurrency: 1 },
  purge: { timeoutSeconds: 15 * 60, memoryMb: 512, localConcurrency: 1 },
  // Discovery: a few list pages and one UpdateItem per extension. No reserved concurrency: the
  // deploy-time invoke must not be throttled by a scheduled run, and two runs write the same.
  extensions: { timeoutSeconds: 5 * 60, memoryMb: 256, localConcurrency: 1 },
  // Reconciliation: one Light request per extension-day, paced; later runs resume the day.
  reconcile: { timeoutSeconds: 15 * 60, memoryMb: 512, localConcurrency: 1 },
  // The account-wide export: one at a time (its cursor and RingCentral's two tasks per account);
  // a run streams the zips of 30 minutes of the account, and resumes its task when cut short.
  'archive-export': { timeoutSeconds: 15 * 60, memoryMb: 1024, reservedConcurrency: 1 },
};

/** Processes `npm start` runs at once for `name`: its reserved concurrency, else its local pool. */
export function localConcurrency(name: FunctionName): number {
  const settings = FUNCTION_SETTINGS[name];
  return settings.reservedConcurrency ?? settings.localConcurrency ?? DEFAULT_LOCAL_CONCURRENCY;
}
