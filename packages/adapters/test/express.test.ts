import { createServer } from 'node:http';
import { createPurchaselyBridge } from '@purchasely-customerio/core';
import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaselyWebhook } from '../src/express.js';
import { PATH, type RunningServer, SECRET, testAdapterConformance } from './conformance.js';
import { listenOnLoopback } from './servers.js';

/** For cases answered before any delivery: Customer.io points at a closed port. */
const bridgeThatNeverReachesCustomerIo = () =>
  createPurchaselyBridge({
    webhookSecret: SECRET,
    customerio: { siteId: 'site', apiKey: 'key', region: 'us', baseUrl: 'http://127.0.0.1:9' },
  });

// Express 4's typings differ from 5's; the handler's fit with each is checked in express.test-d.ts.
const versions: Array<[string, typeof express5]> = [
  ['Express 5', express5],
  ['Express 4', express4 as unknown as typeof express5],
];

for (const [version, express] of versions) {
  testAdapterConformance(version, (bridge, path) => {
    const app = express();
    app.all(path, purchaselyWebhook(bridge));
    return listenOnLoopback(createServer(app));
  });

  testAdapterConformance(`${version} behind express.raw()`, (bridge, path) => {
    const app = express();
    app.all(path, express.raw({ type: '*/*', limit: '10mb' }), purchaselyWebhook(bridge));
    return listenOnLoopback(createServer(app));
  });

  describe(`${version} with express.json() mounted first`, () => {
    let server: RunningServer;
    beforeAll(async () => {
      const app = express();
      app.use(express.json());
      app.post(PATH, purchaselyWebhook(bridgeThatNeverReachesCustomerIo()));
      server = await listenOnLoopback(createServer(app));
    });
    afterAll(() => server.close());

    it('answers a configuration error that says how to mount it', async () => {
      const webhook = await signedPurchaselyWebhook({
        secret: SECRET,
        body: purchaselyEvent('TRIAL_STARTED'),
      });
      const response = await fetch(`${server.url}${PATH}`, { method: 'POST', ...webhook });
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error).toBe('misconfigured');
      expect(body.message).toMatch(/express\.json\(\)/);
      expect(body.message).toMatch(/express\.raw/);
    });
  });
}

testAdapterConformance('node:http', (bridge, path) => {
  const handler = purchaselyWebhook(bridge);
  return listenOnLoopback(
    createServer((request, response) => {
      if (request.url === path) void handler(request, response);
      else response.writeHead(404).end();
    }),
  );
});

describe('Express with a body far over the default 1 MB limit', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const app = express5();
    app.post(PATH, purchaselyWebhook(bridgeThatNeverReachesCustomerIo()));
    server = await listenOnLoopback(createServer(app));
  });
  afterAll(() => server.close());

  it('answers 413 without buffering the rest, and the server keeps serving', async () => {
    const huge = new Uint8Array(5 * 1024 * 1024).fill(0x61);
    const response = await fetch(`${server.url}${PATH}`, { method: 'POST', body: huge });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'payload_too_large' });
    const unsigned = await fetch(`${server.url}${PATH}`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(401);
  });
});
