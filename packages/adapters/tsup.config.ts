import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { express: 'src/express.ts', hono: 'src/hono.ts', fetch: 'src/fetch.ts' },
  tsconfig: 'tsconfig.build.json',
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'node',
});
