import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  tsconfig: 'tsconfig.build.json',
  format: ['esm', 'cjs'],
  // The emulator's types use Symbol.asyncDispose; keep the lib reference tsup would otherwise drop.
  dts: { banner: '/// <reference lib="esnext.disposable" />' },
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
});
