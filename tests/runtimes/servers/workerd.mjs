/**
 * workerd: bundles `worker.mjs` (with the built adapter) with esbuild and serves it with Miniflare,
 * which runs the worker in workerd and listens on loopback. Miniflare's Node API needs Node >= 22,
 * so the matrix runs this file with the Node 22 binary; the worker itself runs in workerd.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { readyLine } from './app.mjs';

const bundle = await build({
  entryPoints: [fileURLToPath(new URL('./worker.mjs', import.meta.url))],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'browser',
  conditions: ['workerd', 'worker', 'browser'],
  target: 'es2022',
  logLevel: 'warning',
});

const mf = new Miniflare({
  modules: true,
  script: bundle.outputFiles[0].text,
  compatibilityDate: '2025-09-01',
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  bindings: {
    WEBHOOK_SECRET: process.env.WEBHOOK_SECRET ?? '',
    CUSTOMERIO_BASE_URL: process.env.CUSTOMERIO_BASE_URL ?? '',
  },
});
const url = await mf.ready;
console.log(readyLine(Number(url.port)));

const stop = async () => {
  await mf.dispose().catch(() => {});
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
