import { fileURLToPath } from 'node:url';
import { defineProject, mergeConfig } from 'vitest/config';

/** Workspace packages resolve to their TypeScript sources, so tests never need a build first. */
const alias = {
  '@purchasely-customerio/core': fileURLToPath(
    new URL('./packages/core/src/index.ts', import.meta.url),
  ),
  '@purchasely-customerio/testing': fileURLToPath(
    new URL('./packages/testing/src/index.ts', import.meta.url),
  ),
  ...Object.fromEntries(
    ['express', 'hono', 'fetch'].map((adapter) => [
      `@purchasely-customerio/adapters/${adapter}`,
      fileURLToPath(new URL(`./packages/adapters/src/${adapter}.ts`, import.meta.url)),
    ]),
  ),
};

const project = (name: string) =>
  defineProject({
    resolve: { alias },
    test: {
      name,
      root: fileURLToPath(new URL(`./packages/${name}`, import.meta.url)),
      include: ['test/**/*.test.ts'],
      typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    },
  });

/**
 * Suites that exercise the *built* packages (`pnpm build` first): real runtimes, packed tarballs.
 * They live under `tests/<name>` and resolve the packages through their `dist/`, as users do.
 */
const distProject = (name: string) =>
  defineProject({
    test: {
      name,
      root: fileURLToPath(new URL(`./tests/${name}`, import.meta.url)),
      include: ['**/*.test.ts'],
      exclude: ['**/node_modules/**', '**/scratch/**'],
      testTimeout: 120_000,
      hookTimeout: 300_000,
    },
  });

/** The project list; the root `vitest.config.ts` passes it to Vitest 4 as `test.projects`. */
export default [
  project('core'),
  project('adapters'),
  project('testing'),
  // Real redis-server processes, started per suite; the global setup finds redis-server or installs it.
  mergeConfig(project('redis'), {
    test: { globalSetup: ['./test/global-setup.ts'], testTimeout: 30_000, hookTimeout: 180_000 },
  }),
  // The command line as a real process: its built bin (`pnpm build` first), real servers, a real Redis.
  mergeConfig(project('cli'), {
    test: {
      globalSetup: ['../redis/test/global-setup.ts'],
      testTimeout: 120_000,
      hookTimeout: 180_000,
    },
  }),
  distProject('runtimes'),
  distProject('tarball'),
  // The Express example as a user runs it (its config, and its server and worker on a real redis-server).
  fileURLToPath(new URL('./examples/express/vitest.config.ts', import.meta.url)),
];
