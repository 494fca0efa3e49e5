/**
 * 5 and 6. Size and start-up. Bundles are built with esbuild (minified, ESM) from the published files and
 * gzipped with node:zlib (level 9). Ours is bundled for `platform: 'neutral'` (Web APIs only);
 * customerio-node needs Node built-ins, so it is bundled for `platform: 'node'` (its built-ins stay external
 * and count zero bytes). Start-up spawns fresh processes (Node 20 and the Node 22 binary, rotating) and takes
 * the median of the wall time from import to the first answer, and of its CPU time.
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

/**
 * Bundles `contents`: from the published files (each package's `exports`, as a user's bundler sees them),
 * or, with `fromSource`, from our TypeScript sources (the repository's tsconfig `paths`), so the metafile
 * can say which package and which of our files each byte comes from (core's built file carries zod and ky
 * inside it, which esbuild would count as core).
 */
async function bundle({ contents, platform }, { fromSource = false } = {}) {
  const result = await build({
    ...(fromSource ? {} : { tsconfigRaw: '{}' }),
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
  const byFile = {};
  for (const [path, input] of Object.entries(
    result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs,
  )) {
    const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
    const local = /packages\/([^/]+)\//.exec(path);
    const name = match ? match[1] : local ? `@purchasely-customerio/${local[1]}` : path;
    byPackage[name] = (byPackage[name] ?? 0) + input.bytesInOutput;
    if (local) byFile[path.replace(/^.*packages\//, '')] = input.bytesInOutput;
  }
  return {
    minifiedBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    byPackage: Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1])),
    // Our own source files by minified bytes, largest first (what to look at to shrink the bundle).
    largestOwnFiles: Object.fromEntries(
      Object.entries(byFile)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12),
    ),
  };
}

export async function benchSize(log) {
  const sizes = {};
  for (const entry of BUNDLES) {
    const built = await bundle(entry);
    const parts = entry.platform === 'neutral' ? await bundle(entry, { fromSource: true }) : built;
    sizes[entry.id] = {
      label: entry.label,
      platform: entry.platform,
      minifiedBytes: built.minifiedBytes,
      gzipBytes: built.gzipBytes,
      // From the sources (ours) or the same bundle (theirs): where the bytes come from.
      byPackage: parts.byPackage,
      largestOwnFiles: parts.largestOwnFiles,
      fromSourceGzipBytes: parts.gzipBytes,
    };
    log(
      `  size ${entry.id}: ${sizes[entry.id].minifiedBytes} B min, ${sizes[entry.id].gzipBytes} B gzip`,
    );
  }

  const spawns = sizeFromEnv('BENCH_STARTUP_SPAWNS', 15, 3);
  const secret = 'bench-startup-secret';
  const configurations = [
    { id: 'ours-node20', what: 'ours', command: process.execPath },
    { id: 'ours-node22', what: 'ours', command: node22 },
    { id: 'hand-node22', what: 'hand', command: node22 },
    { id: 'customerio-node-node22', what: 'customerio-node', command: node22 },
    { id: 'empty-node20', what: 'nothing', command: process.execPath },
    { id: 'empty-node22', what: 'nothing', command: node22 },
  ];
  const samples = Object.fromEntries(configurations.map((c) => [c.id, []]));
  for (let index = 0; index < spawns; index++) {
    const order = configurations.map(
      (_, position) => configurations[(position + index) % configurations.length],
    );
    for (const configuration of order) {
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
      if (['ours', 'hand'].includes(configuration.what) && result.status !== 200) {
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
      importToAnswerCpuMs: round(median(runs.map((run) => run.importToAnswerCpuMs)), 1),
      bestImportToAnswerMs: round(Math.min(...runs.map((run) => run.importToAnswerMs)), 1),
      processStartToAnswerMs: round(median(runs.map((run) => run.processStartToAnswerMs)), 1),
      spawns: runs.length,
    };
    log(`  start-up ${configuration.id}: ${JSON.stringify(startup[configuration.id])}`);
  }
  return { sizes, startup, settings: { spawns, esbuild: (await import('esbuild')).version } };
}
