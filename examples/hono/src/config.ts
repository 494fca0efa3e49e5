/**
 * The configuration, read from environment variables (Node's `process.env`, or a Worker's `env` bindings) and
 * checked all at once, so a bad deployment fails with one message listing everything to fix. Secret values are
 * never echoed. Web APIs only: it runs on Node and on Workers.
 */
import type { CustomerIoClientOptions, PurchaselyBridgeConfig } from '@purchasely-customerio/core';

/** `process.env`, or a Worker's bindings (non-string bindings are ignored). */
export type Env = Readonly<Record<string, unknown>>;

export interface ServerConfig {
  port: number;
  /** The bridge configuration, with the Customer.io settings as client options. */
  bridge: PurchaselyBridgeConfig & { customerio: CustomerIoClientOptions };
}

/** Every problem found in the environment; `message` lists them, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems
        .map((problem) => `  - ${problem}`)
        .join('\n')}\nSee examples/hono/README.md for every variable.`,
    );
    this.problems = problems;
  }
}

const REGIONS = ['us', 'eu', 'auto'] as const;
const SANDBOX_POLICIES = ['ignore', 'forward'] as const;

/**
 * | variable | required | value |
 * | --- | --- | --- |
 * | `PURCHASELY_WEBHOOK_SECRET` | yes | Purchasely's client shared secret |
 * | `PURCHASELY_PREVIOUS_WEBHOOK_SECRET` | no | the previous secret, during a rotation |
 * | `CUSTOMERIO_SITE_ID`, `CUSTOMERIO_API_KEY` | yes | Track API credentials |
 * | `CUSTOMERIO_REGION` | yes, unless `CUSTOMERIO_BASE_URL` is set | `us`, `eu` or `auto` |
 * | `CUSTOMERIO_BASE_URL` | no | an http(s) URL: a proxy or a local emulator |
 * | `PURCHASELY_SANDBOX` | no | `ignore` (default) or `forward` |
 * | `PORT` | no | Node only; default 3000 |
 */
export function loadConfig(env: Env): ServerConfig {
  const problems: string[] = [];
  const value = (name: string) => {
    const raw = env[name];
    const text = typeof raw === 'string' ? raw.trim() : '';
    return text === '' ? undefined : text;
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
    problems.push(`CUSTOMERIO_REGION is ${JSON.stringify(regionValue)}: expected us, eu or auto.`);
  }

  const sandboxValue = value('PURCHASELY_SANDBOX')?.toLowerCase() ?? 'ignore';
  let sandbox: (typeof SANDBOX_POLICIES)[number] = 'ignore';
  if (isOneOf(sandboxValue, SANDBOX_POLICIES)) sandbox = sandboxValue;
  else {
    problems.push(
      `PURCHASELY_SANDBOX is ${JSON.stringify(sandboxValue)}: expected ignore or forward.`,
    );
  }

  const portValue = value('PORT') ?? '3000';
  const port = Number(portValue);
  if (!/^\d+$/.test(portValue) || port > 65_535) {
    problems.push(`PORT is ${JSON.stringify(portValue)}: expected a port number (0 to 65535).`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    bridge: {
      webhookSecret: previousSecret === undefined ? secret : [secret, previousSecret],
      customerio: { siteId, apiKey, region, ...(baseUrl === undefined ? {} : { baseUrl }) },
      sandbox,
    },
  };
}

function isOneOf<const T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
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
