/**
 * Profiles start-up: runs `startup-child.mjs` (import the built fetch adapter, answer one signed webhook)
 * under `--cpu-prof` a few times and prints self time by file and function, summed over the runs.
 * `node bench/lib/startup-profile.mjs [node22|node20] [runs]` (after `pnpm build`); profiles are written
 * under results/profiles/ (ignored by git).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { here, node22, runForResult } from './common.mjs';
import { summarise } from './profile-summary.mjs';

const runtime = process.argv[2] === 'node20' ? process.execPath : node22;
const runs = Number(process.argv[3] ?? 5);
const dir = here('../results/profiles/startup/');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const secret = 'bench-startup-secret';
const webhook = await signedPurchaselyWebhook({
  secret,
  body: purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'user-1' }),
});
const results = [];
for (let index = 0; index < runs; index++) {
  results.push(
    await runForResult(
      runtime,
      [
        '--cpu-prof',
        '--cpu-prof-interval',
        '100',
        '--cpu-prof-dir',
        dir,
        here('./startup-child.mjs'),
      ],
      {
        env: {
          WHAT: 'ours',
          WEBHOOK_SECRET: secret,
          WEBHOOK_HEADERS: JSON.stringify(webhook.headers),
          WEBHOOK_BODY: webhook.body,
        },
      },
    ),
  );
}
console.log(
  results
    .map((r) => `${r.status} import ${r.importMs} ms, to answer ${r.importToAnswerMs} ms`)
    .join('\n'),
);
const merged = { files: new Map(), functions: new Map(), samples: 0 };
for (const file of readdirSync(dir)) {
  const summary = summarise(`${dir}${file}`, 1000);
  merged.samples += summary.samples;
  for (const kind of ['files', 'functions'])
    for (const { name, pct } of summary[kind])
      merged[kind].set(name, (merged[kind].get(name) ?? 0) + (pct * summary.samples) / 100);
}
for (const kind of ['files', 'functions']) {
  console.log(`-- ${kind} (self time, % of all samples)`);
  for (const [name, hits] of [...merged[kind]]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(process.env.TOP ?? 25)))
    console.log(`${((hits / merged.samples) * 100).toFixed(1)}%\t${name}`);
}
