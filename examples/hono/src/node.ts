/** `pnpm start`: the Hono app on Node, configured from environment variables (see config.ts). */
import { serve } from '@hono/node-server';
import { PurchaselyBridgeConfigError } from '@purchasely-customerio/core';
import { createApp, createBridge } from './app.js';
import { ConfigError, loadConfig } from './config.js';

let app: ReturnType<typeof createApp>;
let port: number;
try {
  const config = loadConfig(process.env);
  app = createApp(createBridge(config.bridge));
  port = config.port;
} catch (error) {
  if (error instanceof ConfigError || error instanceof PurchaselyBridgeConfigError) {
    console.error(`\n${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

const server = serve({ fetch: app.fetch, port }, (info) => {
  console.log(`Purchasely webhooks: POST http://localhost:${info.port}/webhooks/purchasely`);
});
server.once('error', (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE' ? `\nPort ${port} is already in use: set PORT.\n` : error.message,
  );
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
