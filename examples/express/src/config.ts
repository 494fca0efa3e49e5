/**
 * The server's configuration, read from environment variables and checked all at once, so a bad deployment
 * fails at start-up with one message listing everything to fix. Secret values are never echoed.
 */
import type { CustomerIoClientOptions, PurchaselyBridgeConfig } from '@purchasely-customerio/core';

export type Env = Record<string, string | undefined>;

export interface ServerConfig {
  port: number;
  /** The bridge configuration, with the Customer.io settings as client options. */
  bridge: PurchaselyBridgeConfig & { customerio: CustomerIoClientOptions };
  /** Set when `REDIS_URL` is: the shared store and rate limit, and queue mode when asked for. */
  redis?: RedisSettings;
}

/** How the bridge uses Redis (see redis.ts). */
export interface RedisSettings {
  /** `REDIS_URL`, as given. Holds the password, if any: never log it (see {@link describeRedisUrl}). */
  url: string;
  /** `direct`: answer Purchasely once Customer.io has the event. `queue`: once Redis has it (BullMQ). */
  delivery: DeliveryMode;
  /** Queue mode: `inline` runs a worker in the server's process; `separate` leaves it to `pnpm worker`. */
  worker: WorkerPlacement;
  /** Queue mode: batches each worker process sends at once. */
  workerConcurrency: number;
}

export type DeliveryMode = (typeof DELIVERY_MODES)[number];
export type WorkerPlacement = (typeof WORKER_PLACEMENTS)[number];

/** Every problem found in the environment; `message` lists them, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems
        .map((problem) => `  - ${problem}`)
        .join('\n')}\nSee examples/express/README.md for every variable.`,
    );
    this.problems = problems;
  }
}

const REGIONS = ['us', 'eu', 'auto'] as const;
const SANDBOX_POLICIES = ['ignore', 'forward'] as const;
const DELIVERY_MODES = ['direct', 'queue'] as const;
const WORKER_PLACEMENTS = ['inline', 'separate'] as const;

/**
 * | variable | required | value |
 * | --- | --- | --- |
 * | `PURCHASELY_WEBHOOK_SECRET` | yes | Purchasely's client shared secret |
 * | `PURCHASELY_PREVIOUS_WEBHOOK_SECRET` | no | the previous secret, during a rotation |
 * | `CUSTOMERIO_SITE_ID`, `CUSTOMERIO_API_KEY` | yes | Track API credentials |
 * | `CUSTOMERIO_REGION` | yes, unless `CUSTOMERIO_BASE_URL` is set | `us`, `eu` or `auto` |
 * | `CUSTOMERIO_BASE_URL` | no | an http(s) URL: a proxy or a local emulator |
 * | `PURCHASELY_SANDBOX` | no | `ignore` (default) or `forward` |
 * | `PORT` | no | default 3000 |
 * | `REDIS_URL` | no | `redis://` or `rediss://` URL: shared store and rate limit (and queue mode) |
 * | `DELIVERY_MODE` | no | `direct` (default) or `queue` (needs `REDIS_URL`) |
 * | `WORKER` | no | queue mode: `inline` (default) or `separate` (run `pnpm worker`) |
 * | `WORKER_CONCURRENCY` | no | queue mode: batches in flight per worker process, default 1 |
 */
export function loadConfig(env: Env): ServerConfig {
  const problems: string[] = [];
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw === '' ? undefined : raw;
  };
  const required = (name: string, what: string) => {
    const found = value(name);
    if (found === undefined) problems.push(`${name} is missing: ${what}.`);
    return found ?? '';
  };

  const secret = required(
    'PURCHASELY_WEBHOOK_SECRET',
    "Purchasely's client shared secret (Purchasely console, Integrations, Webhook)",
  );
  const previousSecret = value('PURCHASELY_PREVIOUS_WEBHOOK_SECRET');
  const siteId = required(
    'CUSTOMERIO_SITE_ID',
    'the Track API site id (Customer.io, Workspace settings, API credentials)',
  );
  const apiKey = required('CUSTOMERIO_API_KEY', 'the Track API key that goes with the site id');

  const baseUrl = value('CUSTOMERIO_BASE_URL');
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) {
    problems.push(
      'CUSTOMERIO_BASE_URL is not an http(s) URL without credentials (its value is not shown: it may hold some).',
    );
  }

  const regionValue = value('CUSTOMERIO_REGION')?.toLowerCase();
  let region: (typeof REGIONS)[number] = 'us';
  if (regionValue === undefined) {
    if (baseUrl === undefined) {
      problems.push(
        "CUSTOMERIO_REGION is missing: your workspace's data centre, us or eu (or auto to ask Customer.io once).",
      );
    }
  } else if (isOneOf(regionValue, REGIONS)) {
    region = regionValue;
  } else {
    problems.push(
      `CUSTOMERIO_REGION is ${JSON.stringify(env.CUSTOMERIO_REGION)}: expected us, eu or auto.`,
    );
  }

  const sandboxValue = value('PURCHASELY_SANDBOX')?.toLowerCase() ?? 'ignore';
  let sandbox: (typeof SANDBOX_POLICIES)[number] = 'ignore';
  if (isOneOf(sandboxValue, SANDBOX_POLICIES)) sandbox = sandboxValue;
  else {
    problems.push(
      `PURCHASELY_SANDBOX is ${JSON.stringify(env.PURCHASELY_SANDBOX)}: expected ignore or forward.`,
    );
  }

  const portValue = value('PORT') ?? '3000';
  const port = Number(portValue);
  if (!/^\d+$/.test(portValue) || port > 65_535) {
    problems.push(`PORT is ${JSON.stringify(env.PORT)}: expected a port number (0 to 65535).`);
  }

  const redisUrl = value('REDIS_URL');
  if (redisUrl !== undefined && !isRedisUrl(redisUrl)) {
    problems.push(
      'REDIS_URL is not a redis:// or rediss:// URL with a host (its value is not shown: it may hold a password).',
    );
  }
  const deliveryValue = value('DELIVERY_MODE')?.toLowerCase() ?? 'direct';
  let delivery: DeliveryMode = 'direct';
  if (isOneOf(deliveryValue, DELIVERY_MODES)) delivery = deliveryValue;
  else {
    problems.push(
      `DELIVERY_MODE is ${JSON.stringify(env.DELIVERY_MODE)}: expected direct or queue.`,
    );
  }
  if (delivery === 'queue' && redisUrl === undefined) {
    problems.push(
      'DELIVERY_MODE is queue, but REDIS_URL is missing: queue mode keeps its queue in Redis.',
    );
  }
  const workerValue = value('WORKER')?.toLowerCase();
  let worker: WorkerPlacement = 'inline';
  if (workerValue !== undefined) {
    if (!isOneOf(workerValue, WORKER_PLACEMENTS)) {
      problems.push(`WORKER is ${JSON.stringify(env.WORKER)}: expected inline or separate.`);
    } else if (delivery !== 'queue') {
      problems.push('WORKER is set, but DELIVERY_MODE is not queue: only queue mode has workers.');
    } else worker = workerValue;
  }
  const concurrencyValue = value('WORKER_CONCURRENCY');
  let workerConcurrency = 1;
  if (concurrencyValue !== undefined) {
    workerConcurrency = Number(concurrencyValue);
    if (!/^\d+$/.test(concurrencyValue) || workerConcurrency < 1 || workerConcurrency > 100) {
      problems.push(
        `WORKER_CONCURRENCY is ${JSON.stringify(env.WORKER_CONCURRENCY)}: expected a whole number from 1 to 100.`,
      );
    } else if (delivery !== 'queue') {
      problems.push(
        'WORKER_CONCURRENCY is set, but DELIVERY_MODE is not queue: only queue mode has workers.',
      );
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    bridge: {
      webhookSecret: previousSecret === undefined ? secret : [secret, previousSecret],
      customerio: { siteId, apiKey, region, ...(baseUrl === undefined ? {} : { baseUrl }) },
      sandbox,
    },
    ...(redisUrl === undefined
      ? {}
      : { redis: { url: redisUrl, delivery, worker, workerConcurrency } }),
  };
}

/** `REDIS_URL` fit for logs: scheme, host, port and database, never the user name or password. */
export function describeRedisUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname.length > 1 ? url.pathname : ''}`;
  } catch {
    return '(REDIS_URL)';
  }
}

function isOneOf<const T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}
