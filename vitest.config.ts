import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { filesImportingFunctionModules } from './test/support/test-isolation.ts';

/** Files that import a function module, configured from the environment at import. */
const OWN_WORKER = filesImportingFunctionModules(fileURLToPath(new URL('.', import.meta.url)));

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: on a two-core machine one file at a
    // time, while most integration files spend much of their time waiting on child processes and
    // local servers. One worker per core overlaps those waits (one more than the cores was
    // measured too: under outside load it starved the simulations into timeouts).
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // The functions' JSON logs and EMF lines would bury the report. Tests about logs or metrics
    // set their own level (or enable metrics) before they build a handler.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: OWN_WORKER,
          // These files build what they test from arguments, so a worker runs one after another
          // without a fresh process and module graph each: a fresh worker per file cost about a
          // third of their CPU (docs/BENCHMARKS.md, "npm test, session 7"). Shuffled file orders
          // found no file leaning on another's state.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'own-worker',
          // test/support/test-isolation.ts says why these need a fresh worker each.
          include: OWN_WORKER,
        },
      },
    ],
  },
});
