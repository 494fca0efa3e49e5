import { defineConfig } from 'tsup';

export default defineConfig([
  // The library: the webhook archive's Node file sink.
  {
    entry: { index: 'src/index.ts' },
    tsconfig: 'tsconfig.build.json',
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
  },
  // The command: one ESM file, run by the `purchasely-customerio` bin.
  {
    entry: { cli: 'src/cli.ts' },
    tsconfig: 'tsconfig.build.json',
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
