import { defineConfig } from 'vitest/config';
import { wedgeGuarded } from './tests/support/wedge-guard';

// A file that never ends is stopped, diagnosed and named (tests/support/wedge-guard.ts).
const wedge = wedgeGuarded();

// NOTE: e2e and resilience tests start real processes (hub, host, Chromium, socat);
// they run one file at a time on our 2-core machines to stay deterministic.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/fixtures/**', 'node_modules/**'],
    testTimeout: 30_000,
    // A bound, not a timing: expect.poll's 1 s default is too tight for a real process
    // chain (host → hub → PDF) on 2 cores shared with other work; CI runs met it twice.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    env: wedge.env,
    execArgv: wedge.execArgv,
    setupFiles: wedge.setupFiles,
    // CABINE_TEST_HUB_STORE=postgresql: test hubs on a throw-away PostgreSQL (tests/support/pg-global.ts).
    globalSetup: ['./tests/support/pg-global.ts'],
    reporters: ['default', './tests/support/summary-reporter.ts', wedge.reporter],
  },
});
