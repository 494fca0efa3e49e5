/**
 * What server.ts and worker.ts check before taking work: the configuration (config.ts), Customer.io's
 * answer to the credentials and region, and Redis when `REDIS_URL` is set. Each failure exits at once
 * with one message saying what to fix, never a secret or the Redis password.
 */
import {
  type CustomerIoClient,
  createCustomerIoClient,
  isCustomerIoHttpError,
} from '@purchasely-customerio/core';
import { ConfigError, loadConfig, type ServerConfig } from './config.js';
import type { RedisRuntime } from './redis.js';

export function fail(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}

export function loadConfigOrExit(env: NodeJS.ProcessEnv): ServerConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

/**
 * A client used once, before taking work, so a wrong key or region is a start-up error rather than 503s
 * later. The bridge builds its own from the same settings, with timeouts that fit its delivery budget.
 */
export async function checkCustomerIo(config: ServerConfig): Promise<void> {
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
}

/** Exits when Redis does not answer PING (the message names host and port only). */
export async function checkRedis(redis: RedisRuntime): Promise<void> {
  try {
    await redis.ping();
  } catch (error) {
    await redis.close();
    fail(
      `Could not reach Redis at ${redis.where} (REDIS_URL): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Runs `shutdown` once on the first SIGINT or SIGTERM, then exits 0 (1 if it threw); a second signal exits
 * at once.
 */
export function onShutdownSignal(shutdown: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(
            `Shutdown failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          process.exit(1);
        },
      );
    });
  }
}
