import {
  createCustomerIoClient,
  createPurchaselyBridge,
  isCustomerIoHttpError,
} from '@purchasely-customerio/core';
import {
  createRedisRateLimiter,
  createRedisStore,
  fromIoredis,
  startDeliveryWorker,
} from '@purchasely-customerio/redis';
import type { CAC } from 'cac';
import { Redis } from 'ioredis';
import { customerIoOptions, type Env, withCustomerIoOptions } from '../customerio-settings.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { redisLocation, withRedisOptions } from '../redis-location.js';
import { shutdownSignal } from '../shutdown.js';

interface WorkerFlags {
  redisUrl?: string;
  queue?: string;
  prefix?: string;
  batchSize?: unknown;
  concurrency?: unknown;
  siteId?: string;
  apiKey?: string;
  region?: string;
  baseUrl?: string;
  rateLimit?: string | number;
}

export function registerWorker(cli: CAC): void {
  const command = cli.command(
    'worker',
    "Deliver queue mode's events from Redis to Customer.io until SIGTERM or Ctrl-C",
  );
  withCustomerIoOptions(withRedisOptions(command))
    .option(
      '--batch-size <n>',
      'Most events per Customer.io batch (env WORKER_BATCH_SIZE; default 100)',
    )
    .option('--concurrency <n>', 'Batches in flight at once (env WORKER_CONCURRENCY; default 1)')
    .example(
      '  REDIS_URL=redis://localhost:6379 CUSTOMERIO_SITE_ID=… CUSTOMERIO_API_KEY=… purchasely-customerio worker',
    )
    .example('  purchasely-customerio worker --concurrency 4 --batch-size 50')
    .action((flags: WorkerFlags) => runWorker(flags, process.env));
}

function positiveInteger(value: unknown, flag: string, variable: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!(Number.isInteger(number) && number > 0))
    throw new UsageError(
      `${flag} (or ${variable}) must be a whole number above 0 (got ${JSON.stringify(String(value))})`,
    );
  return number;
}

async function runWorker(flags: WorkerFlags, env: Env): Promise<number> {
  const location = redisLocation(flags, env);
  const customerio = customerIoOptions(flags, env);
  const batchSize = positiveInteger(
    flags.batchSize ?? env.WORKER_BATCH_SIZE,
    '--batch-size',
    'WORKER_BATCH_SIZE',
    100,
  );
  const concurrency = positiveInteger(
    flags.concurrency ?? env.WORKER_CONCURRENCY,
    '--concurrency',
    'WORKER_CONCURRENCY',
    1,
  );
  const sandbox = (env.PURCHASELY_SANDBOX ?? 'ignore').toLowerCase();
  if (sandbox !== 'ignore' && sandbox !== 'forward')
    throw new UsageError(
      'PURCHASELY_SANDBOX must be ignore or forward, as on the receiving server',
    );

  // A wrong key or region is a start-up error, not a dead letter per event later.
  try {
    await createCustomerIoClient(customerio).getRegion();
  } catch (error) {
    if (isCustomerIoHttpError(error) && (error.status === 401 || error.status === 403)) {
      process.stderr.write(
        `Customer.io refused the site id / API key (HTTP ${error.status}): use your workspace's Track API credentials.\n`,
      );
      return EXIT.failure;
    }
    process.stderr.write(
      `Could not reach Customer.io to check the credentials: ${(error as Error).message}\n`,
    );
    return EXIT.failure;
  }

  let lastError = '';
  const onError = (error: Error) => {
    // ioredis reconnects by itself: say each distinct error once, not on every retry.
    if (error.message === lastError) return;
    lastError = error.message;
    process.stderr.write(`Redis (${location.where}): ${error.message}\n`);
  };
  const commands = new Redis(location.url, { maxRetriesPerRequest: 2, lazyConnect: true });
  const queueConnection = new Redis(location.url, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
  });
  commands.on('error', onError);
  queueConnection.on('error', onError);
  const closeConnections = () =>
    Promise.allSettled(
      [commands, queueConnection].map((client) =>
        client.status === 'ready' ? client.quit() : client.disconnect(),
      ),
    );
  try {
    await Promise.all([commands.connect(), queueConnection.connect()]);
  } catch (error) {
    await closeConnections();
    process.stderr.write(
      `Could not reach Redis at ${location.where}: ${(error as Error).message}\n`,
    );
    return EXIT.failure;
  }

  const redis = fromIoredis(commands);
  const bridge = createPurchaselyBridge({
    // This bridge only delivers: it never verifies a webhook, so the secret is optional here.
    webhookSecret: env.PURCHASELY_WEBHOOK_SECRET || crypto.randomUUID(),
    sandbox,
    store: createRedisStore({ redis }),
    customerio: {
      ...customerio,
      rateLimit: createRedisRateLimiter({
        redis,
        workspace: customerio.siteId,
        requestsPerSecond: (customerio.rateLimit as { requestsPerSecond: number })
          .requestsPerSecond,
        logger: {
          warn: (_fields, message) => process.stderr.write(`Rate limit: ${message}\n`),
          info: (_fields, message) => process.stdout.write(`Rate limit: ${message}\n`),
        },
      }),
    },
  });
  // Listening before saying it started: a signal sent on seeing the start line must find the handler.
  const stopped = shutdownSignal();
  const delivering = await startDeliveryWorker({
    bridge,
    connection: queueConnection,
    ...(location.name === undefined ? {} : { name: location.name }),
    ...(location.prefix === undefined ? {} : { prefix: location.prefix }),
    batchSize,
    concurrency,
    onError,
  });
  let delivered = 0;
  let failedAttempts = 0;
  delivering.worker.on('completed', () => {
    delivered++;
  });
  delivering.worker.on('failed', () => {
    failedAttempts++;
  });
  const target = customerio.baseUrl ?? `region ${customerio.region}`;
  process.stdout.write(
    `Delivery worker: queue ${location.name ?? 'purchasely-customerio'} in ${location.where}${location.prefix ? ` (prefix ${location.prefix})` : ''}, batches of up to ${batchSize}, ${concurrency} in flight; Customer.io ${target}, site ${customerio.siteId}. SIGTERM or Ctrl-C stops after the batches in flight.\n`,
  );

  const signal = await stopped;
  process.stdout.write(`${signal}: finishing the batches in flight…\n`);
  await delivering.close();
  await closeConnections();
  process.stdout.write(
    `Stopped: ${delivered} event${delivered === 1 ? '' : 's'} delivered, ${failedAttempts} failed attempt${failedAttempts === 1 ? '' : 's'} (retried or dead letters).\n`,
  );
  return EXIT.ok;
}
