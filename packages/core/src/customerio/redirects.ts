/**
 * Manual redirect policy.
 *
 * `fetch`'s default `redirect: 'follow'` turns a POST or PUT answered with 301/302 into a GET
 * without a body, which silently loses the call. The client therefore sends every request with
 * `redirect: 'manual'` and decides here whether to re-send the same method and body to the
 * `Location`: only to https `*.customer.io` hosts (Customer.io redirects EU workspaces from the US
 * host to `track-eu`) or to the configured `baseUrl`'s own origin (a proxy or local emulator), and
 * at most {@link MAX_REDIRECTS} times. Anything else is a {@link CustomerIoRegionError} that names
 * the setting to fix. The `Authorization` header can therefore never reach a foreign host.
 *
 * @module
 */
import { CustomerIoRegionError } from './errors.js';
import { isCustomerIoHost, regionHint, regionOfUrl } from './regions.js';

/** Redirects followed for one request before giving up. */
export const MAX_REDIRECTS = 3;

const REDIRECT_STATUSES = new Set([301, 302, 307, 308]);

/** Whether a status is a redirect the client may follow. */
export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/** What the client knows when it receives a redirect. */
export interface RedirectContext {
  status: number;
  /** The raw `Location` header, or `null` when absent. */
  location: string | null;
  /** The absolute URL that was requested. */
  currentUrl: string;
  method: string;
  /** The request path, for messages (never the full URL). */
  path: string;
  /** Redirects already followed for this request. */
  hops: number;
  /** Origin of the configured `baseUrl`, when one was given. */
  trustedOrigin: string | undefined;
}

/**
 * Decides where to re-send a redirected request.
 *
 * @returns the absolute URL to re-send the same method and body to.
 * @throws {CustomerIoRegionError} when the target is missing, not https `*.customer.io` (nor the
 *   configured `baseUrl`'s origin), or the hop limit is reached.
 */
export function resolveRedirect(context: RedirectContext): string {
  const { status, location, currentUrl, method, path, hops, trustedOrigin } = context;
  const what = `Customer.io answered ${status} to ${method} ${path}`;
  if (!location) {
    throw new CustomerIoRegionError(`${what} without a Location header; check region and baseUrl`, {
      status,
    });
  }
  let target: URL;
  try {
    target = new URL(location, currentUrl);
  } catch {
    throw new CustomerIoRegionError(`${what} with an unusable Location header`, { status });
  }
  const targetRegion = regionOfUrl(target.href);
  const hint = targetRegion ? regionHint(targetRegion) : "check region (or set region: 'auto')";
  if (hops >= MAX_REDIRECTS) {
    throw new CustomerIoRegionError(
      `${what} after ${hops} redirects already (limit ${MAX_REDIRECTS}); ${hint}`,
      { status, location: target.origin },
    );
  }
  const trusted =
    (target.protocol === 'https:' && isCustomerIoHost(target.hostname)) ||
    (trustedOrigin !== undefined && target.origin === trustedOrigin);
  if (!trusted) {
    throw new CustomerIoRegionError(
      `${what} with a redirect to ${target.origin}, which is not an https *.customer.io host; refusing to follow (credentials would leave Customer.io). Check the region and baseUrl settings, or set region: 'auto'`,
      { status, location: target.origin },
    );
  }
  return target.href;
}
