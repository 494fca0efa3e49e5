// The README's quick start, kept here so CI type-checks it (pnpm typecheck). Not used by the demo.
import { purchaselyWebhook } from '@purchasely-customerio/adapters/express';
import { createPurchaselyBridge } from '@purchasely-customerio/core';
import express from 'express';

const bridge = createPurchaselyBridge({
  webhookSecret: process.env.PURCHASELY_WEBHOOK_SECRET!,
  customerio: {
    siteId: process.env.CUSTOMERIO_SITE_ID!,
    apiKey: process.env.CUSTOMERIO_API_KEY!,
    region: 'eu', // your workspace's region: 'us', 'eu' or 'auto'
  },
});
bridge.on('ACTIVATE', (event) => console.log(`grant ${event.product} to ${event.user_id}`));

const app = express();
// Before express.json(): the signature covers the body's exact bytes.
app.post('/webhooks/purchasely', purchaselyWebhook(bridge));
app.use(express.json());
app.listen(3000);
