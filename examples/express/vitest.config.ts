import { defineConfig } from 'vitest/config';

/**
 * The example's tests (`pnpm test` in this folder). The smoke test runs the real `src/server.ts` with tsx,
 * which resolves the workspace packages through their `dist/`: build them first (`pnpm build` at the root).
 */
export default defineConfig({
  test: {
    name: 'example-express',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
