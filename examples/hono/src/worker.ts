/**
 * The Cloudflare Workers entry (`wrangler.toml` points here). The bridge is built from the Worker's `env`
 * bindings on the first request, then reused for the isolate's lifetime. Set the secrets with
 * `wrangler secret put`; the other settings are `[vars]`.
 *
 * The bridge's default store (claims and subscription state) is per isolate; Customer.io still drops a
 * re-delivered event by its dedup id. Pass `store` a `BridgeStore` backed by a Durable Object to share it.
 */
import { PurchaselyBridgeConfigError } from '@purchasely-customerio/core';
import { createApp, createBridge } from './app.js';
import { ConfigError, loadConfig } from './config.js';

/** The Worker's bindings (secrets and vars). */
export type WorkerEnv = {
  PURCHASELY_WEBHOOK_SECRET?: string;
  PURCHASELY_PREVIOUS_WEBHOOK_SECRET?: string;
  CUSTOMERIO_SITE_ID?: string;
  CUSTOMERIO_API_KEY?: string;
  CUSTOMERIO_REGION?: string;
  CUSTOMERIO_BASE_URL?: string;
  PURCHASELY_SANDBOX?: string;
};

let app: ReturnType<typeof createApp> | undefined;

export default {
  fetch(request: Request, env: WorkerEnv): Response | Promise<Response> {
    try {
      app ??= createApp(createBridge(loadConfig(env).bridge));
    } catch (error) {
      if (!(error instanceof ConfigError || error instanceof PurchaselyBridgeConfigError))
        throw error;
      // Logged for you (never a secret value); Purchasely gets a 500 and re-delivers once it is fixed.
      console.error(error.message);
      return Response.json({ error: 'misconfigured' }, { status: 500 });
    }
    return app.fetch(request, env);
  },
};
