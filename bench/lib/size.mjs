/**
 * 4. Size and start-up. Bundles are built with esbuild (minified, ESM) and gzipped with node:zlib
 * (level 9). Ours is bundled for `platform: 'neutral'` (Web APIs only); customerio-node needs Node
 * built-ins, so it is bundled for `platform: 'node'` (its built-ins stay external and count zero bytes).
 * Start-up spawns fresh processes and takes the median.
 */
import { gzipSync } from 'node:zlib';
import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { build } from 'esbuild';
import { benchDir, here, median, node22, round, runForResult, sizeFromEnv } from './common.mjs';

const BUNDLES = [
  {
    id: 'fetch-adapter',
    label: 'ours: `@purchasely-customerio/adapters/fetch` with core (the whole bridge)',
    contents: "export { purchaselyWebhook } from '@purchasely-customerio/adapters/fetch';",
    platform: 'neutral',
  },
  {
    id: 'core-client',
    label: 'ours: `createCustomerIoClient` only (core, tree-shaken)',
    contents: "export { createCustomerIoClient } from '@purchasely-customerio/core';",
    platform: 'neutral',
  },
  {
    id: 'customerio-node',
    label: '`customerio-node` `TrackClient` (CommonJS: not tree-shaken)',
    contents: "export { TrackClient } from 'customerio-node';",
    platform: 'node',
  },
];

async function bundle({ contents, platform }) {
  const result = await build({
    stdin: { contents, resolveDir: benchDir, loader: 'js', sourcefile: 'entry.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    ...(platform === 'neutral'
      ? { mainFields: ['module', 'main'], conditions: ['import', 'default'] }
      : {}),
  });
  const code = result.outputFiles[0].contents;
  const byPackage = {};
  for (const [path, input] of Object.entries(
    result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs,
  )) {
    const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
    const local = /packages\/([^/]+)\//.exec(path);
    const name = match ? match[1] : local ? `@purchasely-customerio/${local[1]}` : path;
    byPackage[name] = (byPackage[name] ?? 0) + input.bytesInOutput;
  }
  return {
    minifiedBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    byPackage: Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1])),
  };
}

export async function benchSize(log) {
  const sizes = {};
  for (const entry of BUNDLES) {
    sizes[entry.id] = { label: entry.label, platform: entry.platform, ...(await bundle(entry)) };
    log(
      `  size ${entry.id}: ${sizes[entry.id].minifiedBytes} B min, ${sizes[entry.id].gzipBytes} B gzip`,
    );
  }

  const spawns = sizeFromEnv('BENCH_STARTUP_SPAWNS', 10, 3);
  const secret = 'bench-startup-secret';
  const configurations = [
    { id: 'ours-node20', what: 'ours', command: process.execPath },
    { id: 'ours-node22', what: 'ours', command: node22 },
    { id: 'customerio-node-node22', what: 'customerio-node', command: node22 },
    { id: 'empty-node20', what: 'nothing', command: process.execPath },
    { id: 'empty-node22', what: 'nothing', command: node22 },
  ];
  const samples = Object.fromEntries(configurations.map((c) => [c.id, []]));
  for (let index = 0; index < spawns; index++) {
    for (const configuration of configurations) {
      const webhook = await signedPurchaselyWebhook({
        secret,
        body: purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: `user-${index}` }),
      });
      const result = await runForResult(configuration.command, [here('./startup-child.mjs')], {
        env: {
          WHAT: configuration.what,
          WEBHOOK_SECRET: secret,
          WEBHOOK_HEADERS: JSON.stringify(webhook.headers),
          WEBHOOK_BODY: webhook.body,
        },
      });
      if (configuration.what === 'ours' && result.status !== 200) {
        throw new Error(`start-up webhook answered ${result.status}`);
      }
      samples[configuration.id].push(result);
    }
  }
  const startup = {};
  for (const configuration of configurations) {
    const runs = samples[configuration.id];
    startup[configuration.id] = {
      node: runs[0].node,
      importMs: round(median(runs.map((run) => run.importMs)), 1),
      importToAnswerMs: round(median(runs.map((run) => run.importToAnswerMs)), 1),
      processStartToAnswerMs: round(median(runs.map((run) => run.processStartToAnswerMs)), 1),
      spawns: runs.length,
    };
    log(`  start-up ${configuration.id}: ${JSON.stringify(startup[configuration.id])}`);
  }
  return { sizes, startup, settings: { spawns, esbuild: (await import('esbuild')).version } };
}
