// The README's quick start (Node), kept here so CI type-checks it (pnpm typecheck).
import { serve } from '@hono/node-server';
import { purchaselyWebhook } from '@purchasely-customerio/adapters/hono';
import { Hono } from 'hono';

const app = new Hono();
app.post(
  '/webhooks/purchasely',
  purchaselyWebhook({
    webhookSecret: process.env.PURCHASELY_WEBHOOK_SECRET!,
    customerio: {
      siteId: process.env.CUSTOMERIO_SITE_ID!,
      apiKey: process.env.CUSTOMERIO_API_KEY!,
      region: 'eu', // your workspace's region: 'us', 'eu' or 'auto'
    },
  }),
);

serve({ fetch: app.fetch, port: 3000 });
