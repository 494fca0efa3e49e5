/**
 * `pnpm start`: the server alone, configured from environment variables (see config.ts). Exits at once, with
 * a message saying what to fix, on missing or invalid settings or credentials Customer.io refuses.
 */
import { createServer } from 'node:http';
import {
  type CustomerIoClient,
  createCustomerIoClient,
  isCustomerIoHttpError,
  PurchaselyBridgeConfigError,
} from '@purchasely-customerio/core';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type ServerConfig } from './config.js';

function fail(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}

let config: ServerConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

// A client used once, before accepting traffic, so a wrong key or region is a start-up error rather than
// 503s later. The bridge builds its own from the same settings, with timeouts that fit its delivery budget.
const { customerio } = config.bridge;
let client: CustomerIoClient;
try {
  client = createCustomerIoClient(customerio);
} catch (error) {
  fail(`Invalid Customer.io settings: ${error instanceof Error ? error.message : String(error)}`);
}
try {
  const { region } = await client.getRegion();
  if (
    customerio.baseUrl === undefined &&
    customerio.region !== 'auto' &&
    region !== customerio.region
  ) {
    fail(
      `This Customer.io workspace is in the ${region} region, but CUSTOMERIO_REGION is ${customerio.region}: set CUSTOMERIO_REGION=${region}.`,
    );
  }
} catch (error) {
  if (isCustomerIoHttpError(error) && (error.status === 401 || error.status === 403)) {
    fail(
      `Customer.io refused CUSTOMERIO_SITE_ID / CUSTOMERIO_API_KEY (HTTP ${error.status}): use the Track API credentials of your workspace.`,
    );
  }
  fail(
    `Could not reach Customer.io to check the credentials: ${error instanceof Error ? error.message : String(error)}`,
  );
}

let app: ReturnType<typeof createApp>;
try {
  app = createApp(config.bridge);
} catch (error) {
  if (error instanceof PurchaselyBridgeConfigError)
    fail(`Invalid bridge configuration: ${error.message}`);
  throw error;
}

const server = createServer(app);
server.once('error', (error: NodeJS.ErrnoException) => {
  fail(
    error.code === 'EADDRINUSE'
      ? `Port ${config.port} is already in use: set PORT to a free port.`
      : `Could not start the server: ${error.message}`,
  );
});
server.listen(config.port, () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  console.log(`Purchasely webhooks: POST http://localhost:${port}/webhooks/purchasely`);
  console.log(
    `Customer.io: ${customerio.baseUrl ?? `region ${customerio.region}`}; sandbox events: ${config.bridge.sandbox}`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
