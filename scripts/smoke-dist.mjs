// Loads every built entry the way consumers do, with import (ESM) and require (CommonJS), and exercises
// core through both: the CommonJS build must carry ky (ESM-only) inside it to work on Node 20.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const entries = {
  '@purchasely-customerio/core': [
    'createCustomerIoClient',
    'parsePurchaselyEvent',
    'verifyPurchaselySignature',
  ],
  '@purchasely-customerio/testing': [
    'createCustomerIoEmulator',
    'purchaselyEvent',
    'signedPurchaselyWebhook',
  ],
  '@purchasely-customerio/adapters/express': ['purchaselyWebhook'],
  '@purchasely-customerio/adapters/hono': ['purchaselyWebhook'],
  '@purchasely-customerio/adapters/fetch': ['purchaselyWebhook'],
};

const vectors = JSON.parse(
  readFileSync(
    new URL('../packages/core/test/fixtures/purchasely/signature-vectors.json', import.meta.url),
  ),
);
const renewed = readFileSync(
  new URL('../packages/core/test/fixtures/purchasely/subscription-renewed.json', import.meta.url),
  'utf8',
);

async function exercise(core, format) {
  const { current } = vectors;
  const verification = await core.verifyPurchaselySignature({
    body: current.body,
    headers: {
      'x-purchasely-request-signature': current.signature,
      'x-purchasely-timestamp': current.timestamp,
    },
    secret: current.secret,
    now: () => Number(current.timestamp) * 1000,
  });
  assert.equal(verification.ok, true, `${format}: signature vector`);
  const parsed = core.parsePurchaselyEvent(renewed);
  assert.equal(parsed.ok && parsed.event.event_name, 'SUBSCRIPTION_RENEWED', `${format}: parse`);
  const client = core.createCustomerIoClient({
    siteId: 'site',
    apiKey: 'key',
    region: 'us',
    fetch: async () =>
      new Response(
        JSON.stringify({ url: 'https://track.customer.io', region: 'us', environment_id: 1 }),
        {
          headers: { 'content-type': 'application/json' },
        },
      ),
  });
  assert.equal((await client.getRegion()).region, 'us', `${format}: client over ky`);
}

for (const [specifier, names] of Object.entries(entries)) {
  const esm = await import(specifier);
  const cjs = require(specifier);
  for (const name of names) {
    assert.ok(name in esm, `${specifier} (ESM) exports ${name}`);
    assert.ok(name in cjs, `${specifier} (CJS) exports ${name}`);
  }
  if (specifier === '@purchasely-customerio/core') {
    await exercise(esm, 'ESM');
    await exercise(cjs, 'CJS');
  }
  console.log(`ok ${specifier}: ESM and CommonJS`);
}
