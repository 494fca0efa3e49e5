import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { purchaselyWebhook } from '../src/fetch.js';
import { testAdapterConformance } from './conformance.js';
import { listenOnLoopback } from './servers.js';

testAdapterConformance('fetch', (bridge, path) => {
  const handler = purchaselyWebhook(bridge);
  return listenOnLoopback(
    createAdaptorServer({
      fetch: (request: Request) =>
        new URL(request.url).pathname === path
          ? handler(request)
          : new Response(null, { status: 404 }),
    }) as Server,
  );
});
