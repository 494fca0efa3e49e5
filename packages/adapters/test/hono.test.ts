import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { purchaselyWebhook } from '../src/hono.js';
import { testAdapterConformance } from './conformance.js';
import { listenOnLoopback } from './servers.js';

testAdapterConformance('Hono', (bridge, path) => {
  const app = new Hono();
  app.on(['POST', 'PUT', 'GET'], path, purchaselyWebhook(bridge));
  return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
});

testAdapterConformance('Hono with the body read by a middleware', (bridge, path) => {
  const app = new Hono();
  app.use(path, async (context, next) => {
    if (context.req.method === 'POST') await context.req.json().catch(() => undefined);
    await next();
  });
  app.on(['POST', 'PUT', 'GET'], path, purchaselyWebhook(bridge));
  return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
});
