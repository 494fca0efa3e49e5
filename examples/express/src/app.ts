import { purchaselyWebhook } from '@purchasely-customerio/adapters/express';
import {
  createPurchaselyBridge,
  type PurchaselyBridge,
  type PurchaselyBridgeConfig,
} from '@purchasely-customerio/core';
import express, { type Express } from 'express';

export interface AppOptions {
  /** Where the example's own lines go (the ACTIVATE handler). Default `console.log`. */
  log?: (line: string) => void;
}

/** The bridge with the example's `on()` handler. */
export function createBridge(
  config: PurchaselyBridgeConfig,
  options: AppOptions = {},
): PurchaselyBridge {
  const log = options.log ?? console.log;
  const bridge = createPurchaselyBridge(config);

  // Your own logic, precisely typed per event. ACTIVATE is not forwarded to Customer.io by default (it
  // doubles the lifecycle event of the same moment) but is the place to grant access in your backend.
  // Handlers must be idempotent: a re-delivered webhook runs them again.
  bridge.on('ACTIVATE', (event) => {
    const who = event.user_id ?? event.anonymous_user_id ?? 'unknown user';
    log(`on('ACTIVATE'): grant ${event.product} (${event.plan}) to ${who}`);
  });
  return bridge;
}

/**
 * The Express app: `POST /webhooks/purchasely` (the bridge) and `GET /health`. Takes the bridge's
 * configuration, or a bridge made with {@link createBridge}.
 *
 * The webhook route comes before any body parser: the signature covers the body's exact bytes.
 */
export function createApp(
  config: PurchaselyBridgeConfig | PurchaselyBridge,
  options: AppOptions = {},
): Express {
  const bridge = 'handle' in config ? config : createBridge(config, options);

  const app = express();
  app.post('/webhooks/purchasely', purchaselyWebhook(bridge));
  app.get('/health', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.use(express.json()); // the rest of your API may parse JSON: after the webhook route
  return app;
}
