// The README's quick start (Cloudflare Workers), kept here so CI type-checks it (pnpm typecheck).
import {
  type PurchaselyHonoHandler,
  purchaselyWebhook,
} from '@purchasely-customerio/adapters/hono';
import { Hono } from 'hono';

type Bindings = {
  PURCHASELY_WEBHOOK_SECRET: string;
  CUSTOMERIO_SITE_ID: string;
  CUSTOMERIO_API_KEY: string;
};

const app = new Hono<{ Bindings: Bindings }>();
let webhook: PurchaselyHonoHandler | undefined; // built once per isolate, from the first request's bindings

app.post('/webhooks/purchasely', (context) => {
  webhook ??= purchaselyWebhook({
    webhookSecret: context.env.PURCHASELY_WEBHOOK_SECRET,
    customerio: {
      siteId: context.env.CUSTOMERIO_SITE_ID,
      apiKey: context.env.CUSTOMERIO_API_KEY,
      region: 'eu',
    },
  });
  return webhook(context);
});

export default app;
