import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
  },
});
