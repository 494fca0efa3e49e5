import { defineConfig } from 'tsup';

const shared = {
  entry: { index: 'src/index.ts' },
  tsconfig: 'tsconfig.build.json',
  dts: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
} as const;

export default defineConfig([
  { ...shared, format: 'esm', clean: true },
  // ky ships ESM only; bundling it into the CommonJS build lets `require()` consumers on Node 20 load us.
  { ...shared, format: 'cjs', noExternal: ['ky'] },
]);
