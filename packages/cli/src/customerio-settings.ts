import type { CustomerIoClientOptions, CustomerIoRegionSetting } from '@purchasely-customerio/core';
import type { Command } from './command.js';
import { UsageError } from './exit-codes.js';

/** The flags every command that talks to Customer.io takes (each with an environment fallback). */
export interface CustomerIoFlags {
  siteId?: string;
  apiKey?: string;
  region?: string;
  baseUrl?: string;
  rateLimit?: string | number;
}

export type Env = Record<string, string | undefined>;

const REGIONS: readonly CustomerIoRegionSetting[] = ['us', 'eu', 'auto'];

/**
 * Customer.io client options from flags, else `CUSTOMERIO_SITE_ID`, `CUSTOMERIO_API_KEY`,
 * `CUSTOMERIO_REGION` (default `us`), `CUSTOMERIO_BASE_URL` and `CUSTOMERIO_RATE_LIMIT` (requests per
 * second, default 100). Missing or bad values are a `UsageError` naming the flag and variable; secret
 * values are never repeated in it.
 */
export function customerIoOptions(flags: CustomerIoFlags, env: Env): CustomerIoClientOptions {
  const problems: string[] = [];
  const siteId = flags.siteId ?? env.CUSTOMERIO_SITE_ID;
  const apiKey = flags.apiKey ?? env.CUSTOMERIO_API_KEY;
  if (!siteId) problems.push('the site id is missing: --site-id or CUSTOMERIO_SITE_ID');
  if (!apiKey) problems.push('the API key is missing: --api-key or CUSTOMERIO_API_KEY');
  const region = (flags.region ?? env.CUSTOMERIO_REGION ?? 'us').toLowerCase();
  if (!REGIONS.includes(region as CustomerIoRegionSetting))
    problems.push(`the region must be us, eu or auto (got ${JSON.stringify(region)})`);
  const baseUrl = flags.baseUrl ?? env.CUSTOMERIO_BASE_URL;
  if (baseUrl !== undefined && !isPlainHttpUrl(baseUrl))
    problems.push('the base URL is not an http(s) URL without credentials (value not shown)');
  const rateValue = flags.rateLimit ?? env.CUSTOMERIO_RATE_LIMIT;
  const rate = rateValue === undefined ? 100 : Number(rateValue);
  if (!(Number.isFinite(rate) && rate > 0))
    problems.push(`the rate limit must be a positive number of requests per second`);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return {
    siteId: siteId as string,
    apiKey: apiKey as string,
    region: region as CustomerIoRegionSetting,
    ...(baseUrl === undefined ? {} : { baseUrl }),
    rateLimit: { requestsPerSecond: rate },
  };
}

/** An http(s) URL with a host and no user name or password (a value with either is never echoed). */
function isPlainHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.host !== '' &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

/** The flags of {@link customerIoOptions}, registered on a command (`worker`, `backfill`). */
export function withCustomerIoOptions(command: Command): Command {
  return command
    .option('--site-id <id>', 'Customer.io site id (env CUSTOMERIO_SITE_ID)')
    .option('--api-key <key>', 'Customer.io Track API key (env CUSTOMERIO_API_KEY); never printed')
    .option('--region <region>', 'us, eu or auto (env CUSTOMERIO_REGION; default us)')
    .option(
      '--base-url <url>',
      'Another Track API base URL, e.g. the emulator (env CUSTOMERIO_BASE_URL)',
    )
    .option(
      '--rate-limit <n>',
      'Requests per second for the workspace (env CUSTOMERIO_RATE_LIMIT; default 100)',
    );
}
