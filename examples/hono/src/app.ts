import { purchaselyWebhook } from '@purchasely-customerio/adapters/hono';
import {
  createPurchaselyBridge,
  type PurchaselyBridge,
  type PurchaselyBridgeConfig,
} from '@purchasely-customerio/core';
import { Hono } from 'hono';

/** The bridge, with your own typed logic registered on it. */
export function createBridge(config: PurchaselyBridgeConfig): PurchaselyBridge {
  const bridge = createPurchaselyBridge(config);
  // ACTIVATE is not forwarded to Customer.io by default; it is where your backend grants access.
  // Handlers must be idempotent: a re-delivered webhook runs them again.
  bridge.on('ACTIVATE', (event) => {
    console.log(
      `on('ACTIVATE'): grant ${event.product} to ${event.user_id ?? event.anonymous_user_id}`,
    );
  });
  return bridge;
}

/** The Hono app: `POST /webhooks/purchasely` and `GET /health`. The same app runs on Node and Workers. */
export function createApp(bridge: PurchaselyBridge): Hono {
  const app = new Hono();
  app.post('/webhooks/purchasely', purchaselyWebhook(bridge));
  app.get('/health', (context) => context.json({ status: 'ok' }));
  return app;
}
