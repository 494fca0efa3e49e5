/**
 * Customer.io Track API regions and the pure base-URL resolver.
 *
 * An EU workspace called on the US host is redirected through US servers (a data-residency
 * problem) and a US workspace called on the EU host fails with 401, so the host matters. The
 * resolver is a pure function of its input (no environment reads), like svix's `REGIONS` table and
 * qstash's multi-region resolver.
 *
 * @module
 */
import { CustomerIoValidationError } from './errors.js';

/** A Customer.io data centre. */
export type CustomerIoRegion = 'us' | 'eu';

/** A region, or `'auto'` to ask Customer.io (`GET /api/v1/accounts/region`) once. */
export type CustomerIoRegionSetting = CustomerIoRegion | 'auto';

/**
 * Track API base URLs by region.
 *
 * @example
 * ```ts
 * TRACK_REGIONS.eu; // 'https://track-eu.customer.io'
 * ```
 */
export const TRACK_REGIONS: Readonly<Record<CustomerIoRegion, string>> = Object.freeze({
  us: 'https://track.customer.io',
  eu: 'https://track-eu.customer.io',
});

/** What Customer.io's region lookup says about the workspace the credentials belong to. */
export interface RegionInfo {
  region: CustomerIoRegion;
  /** The Track base URL for that region, without a trailing slash. */
  url: string;
  /** The workspace (environment) id. */
  environmentId: number;
}

/**
 * Normalises a region string: trims, lower-cases, and accepts the host names too
 * (`'track-eu.customer.io'` → `'eu'`).
 *
 * @throws {CustomerIoValidationError} for anything else.
 */
export function normalizeRegion(value: unknown): CustomerIoRegionSetting {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  switch (text) {
    case 'us':
    case 'track.customer.io':
      return 'us';
    case 'eu':
    case 'track-eu.customer.io':
      return 'eu';
    case 'auto':
      return 'auto';
    default:
      throw new CustomerIoValidationError(
        `region: must be 'us', 'eu' or 'auto', got ${typeof value === 'string' ? `'${value}'` : typeof value}`,
        { field: 'region', limit: 'us|eu|auto' },
      );
  }
}

/** Trims trailing slashes and checks the value is an absolute http(s) URL. */
export function normalizeBaseUrl(value: string): string {
  const trimmed = value.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new CustomerIoValidationError('baseUrl: must be an absolute URL', { field: 'baseUrl' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CustomerIoValidationError('baseUrl: must use https (or http for a local emulator)', {
      field: 'baseUrl',
    });
  }
  if (url.username || url.password) {
    // Credentials in a URL end up in logs; the client sends them in a header instead.
    throw new CustomerIoValidationError(
      'baseUrl: must not contain credentials; pass siteId and apiKey instead',
      { field: 'baseUrl' },
    );
  }
  return trimmed;
}

/**
 * Resolves the Track API base URL from the client options.
 *
 * Priority:
 * 1. an explicit `baseUrl` (trailing slashes trimmed) wins over everything, so a proxy or a local
 *    emulator can be targeted whatever the region says;
 * 2. otherwise `region` `'us'` or `'eu'` picks the host from {@link TRACK_REGIONS};
 * 3. otherwise (`'auto'`) the result is `undefined`: the URL is only known after asking
 *    Customer.io (`GET /api/v1/accounts/region`), which the client does once and caches.
 *
 * @example
 * ```ts
 * resolveTrackBaseUrl({ region: 'eu' }); // 'https://track-eu.customer.io'
 * resolveTrackBaseUrl({ region: 'auto', baseUrl: 'http://127.0.0.1:4010/' }); // 'http://127.0.0.1:4010'
 * resolveTrackBaseUrl({ region: 'auto' }); // undefined: needs a lookup
 * ```
 */
export function resolveTrackBaseUrl(options: {
  region?: CustomerIoRegionSetting | string;
  baseUrl?: string | undefined;
}): string | undefined {
  if (options.baseUrl !== undefined && options.baseUrl !== '') {
    return normalizeBaseUrl(options.baseUrl);
  }
  const region = normalizeRegion(options.region ?? 'us');
  return region === 'auto' ? undefined : TRACK_REGIONS[region];
}

/** Whether `hostname` is `customer.io` or one of its subdomains. */
export function isCustomerIoHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'customer.io' || host.endsWith('.customer.io');
}

/** Which Track region a URL points at, if it is one of the two Track hosts. */
export function regionOfUrl(url: string): CustomerIoRegion | undefined {
  try {
    const { protocol, hostname } = new URL(url);
    if (protocol !== 'https:') return undefined;
    if (hostname === 'track.customer.io') return 'us';
    if (hostname === 'track-eu.customer.io') return 'eu';
  } catch {
    // Not a URL: no region.
  }
  return undefined;
}

/** The sentence that tells a user which setting fixes a region mismatch. */
export function regionHint(region: CustomerIoRegion): string {
  return region === 'eu'
    ? "this workspace is in the EU region: set region: 'eu' (or 'auto')"
    : "this workspace is in the US region: set region: 'us' (or 'auto')";
}
