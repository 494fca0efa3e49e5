import { defineConfig } from 'tsup';

/*
 * zod and ky are bundled into both builds. zod/mini alone is 92 ES modules and ky 15: resolving, reading and
 * linking them was about half the time from `import` to the first handled webhook (README, Performance;
 * `node bench/lib/startup-profile.mjs` shows where start-up goes). ky ships ESM only, so the CommonJS build
 * needed it inside anyway.
 * The typings still import zod's types from the `zod` dependency (`purchaselyEventSchema` is a zod schema
 * users compose with their own zod; tests/tarball proves it works); their licences are in
 * THIRD_PARTY_LICENSES.md.
 */
const shared = {
  entry: { index: 'src/index.ts' },
  tsconfig: 'tsconfig.build.json',
  dts: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  noExternal: ['zod', 'ky'],
} as const;

export default defineConfig([
  { ...shared, format: 'esm', clean: true },
  { ...shared, format: 'cjs' },
]);
