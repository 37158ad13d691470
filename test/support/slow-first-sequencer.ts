/**
 * The order in which Vitest hands test files to its workers: the files measured slowest first.
 * Vitest orders by the durations it cached on the last run and, without a cache (a fresh clone,
 * as CI runs), by file size, which put the 30-second archive-mailbox file last: one worker ran it
 * alone while the other had nothing left to do. Starting the long files first lets the short ones
 * fill in at the end. The list is a hint, not a contract: files not on it keep Vitest's order,
 * after those on it.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The slowest files of an idle run on the 2-core machine (`npm test`, 2026-12-06), slowest first. */
const SLOWEST_FIRST = [
  'test/infra/cdk-synth.test.ts',
  'test/integration/functions/token-day.test.ts',
  'test/integration/archive/archive-mailbox.test.ts',
  'test/integration/purge/purge.test.ts',
  'test/integration/cli/usage.test.ts',
  'test/infra/policy-validation.test.ts',
  'test/integration/local/account-start.e2e.test.ts',
  'test/integration/local/message-status-events.test.ts',
  'test/integration/search/archive-search.test.ts',
  'test/integration/functions/send-sms.test.ts',
  'test/integration/archive/archive-faults.test.ts',
  'test/integration/backfill/archives.test.ts',
  'test/integration/backfill/export.test.ts',
];

function rank(spec: TestSpecification): number {
  const index = SLOWEST_FIRST.findIndex((path) => spec.moduleId.endsWith(path));
  return index === -1 ? SLOWEST_FIRST.length : index;
}

/** Vitest's own order, with the files of {@link SLOWEST_FIRST} moved to the front. */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    return ordered
      .map((spec, position) => ({ spec, position, rank: rank(spec) }))
      .sort((a, b) => a.rank - b.rank || a.position - b.position)
      .map(({ spec }) => spec);
  }
}
