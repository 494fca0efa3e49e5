import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { createPurchaselyBridge } from '@purchasely-customerio/core';
import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaselyWebhook } from '../src/hono.js';
import { PATH, type RunningServer, SECRET, testAdapterConformance } from './conformance.js';
import { listenOnLoopback } from './servers.js';

testAdapterConformance('Hono', (bridge, path) => {
  const app = new Hono();
  app.on(['POST', 'PUT', 'GET'], path, purchaselyWebhook(bridge));
  return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
});

testAdapterConformance(
  'Hono with the body read by a middleware',
  (bridge, path) => {
    const app = new Hono();
    app.use(path, async (context, next) => {
      if (context.req.method === 'POST') await context.req.json().catch(() => undefined);
      await next();
    });
    app.on(['POST', 'PUT', 'GET'], path, purchaselyWebhook(bridge));
    return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
  },
  { bodyReadBefore: 'a middleware' },
);

describe('Hono with the body consumed outside its cache by a middleware', () => {
  let server: RunningServer;
  const errors: string[] = [];
  beforeAll(async () => {
    const app = new Hono();
    // Reading c.req.raw directly bypasses Hono's body cache: the exact bytes are gone for good.
    app.use(PATH, async (context, next) => {
      await context.req.raw.text();
      await next();
    });
    const bridge = createPurchaselyBridge({
      webhookSecret: SECRET,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: (_fields, message) => errors.push(message),
      },
      customerio: { siteId: 'site', apiKey: 'key', region: 'us', baseUrl: 'http://127.0.0.1:9' },
    });
    app.post(PATH, purchaselyWebhook(bridge));
    server = await listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
  });
  afterAll(() => server.close());

  it("answers the bridge's 500 with advice on mounting, and logs it as an error", async () => {
    const webhook = await signedPurchaselyWebhook({
      secret: SECRET,
      body: purchaselyEvent('TRIAL_STARTED'),
    });
    const response = await fetch(`${server.url}${PATH}`, { method: 'POST', ...webhook });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('misconfigured');
    expect(body.message).toMatch(/c\.req\.text\(\)/);
    expect(errors).toEqual([expect.stringContaining(body.message)]);
  });
});
