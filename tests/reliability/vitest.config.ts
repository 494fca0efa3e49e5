import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The reliability suite (`pnpm test:reliability`, after `pnpm build`): it runs against the *built* packages,
 * as users get them, on real loopback servers. Its own command, not a project of the root workspace: it is
 * slower than the unit suites and sized by environment variables (see README.md next to this file).
 */
export default defineConfig({
  test: {
    name: 'reliability',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // One file at a time: the load and memory figures must not share the two cores with the fault run.
    fileParallelism: false,
    pool: 'forks',
    // `global.gc()` for the heap figures of the load test.
    execArgv: ['--expose-gc'],
    testTimeout: 280_000,
    hookTimeout: 60_000,
    globalSetup: ['./global-setup.ts'],
  },
});
