import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

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
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts'],
          // These files build what they test from arguments and never import a function module
          // configured by its environment, so a worker may run one after another without a fresh
          // module graph: a fresh worker per file spent about a third of their CPU (135 s isolated
          // against 90 s, docs/BENCHMARKS.md, "npm test"), and passes in shuffled orders showed no
          // file leaning on another's state.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          // Many of these files import function modules configured at import from their own
          // servers' endpoints (importWithEnvironment), so each gets a fresh worker.
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'test/infra/**'],
        },
      },
    ],
  },
});
