/**
 * What every Customer.io sender is built on: the checked options, the credentials and their
 * redactor, the rate limiter, the HTTP layer and the region (fixed, or looked up once for
 * `'auto'`). Shared by the full client (`client.ts`) and the bridge's lean sender (`sender.ts`).
 *
 * @module
 */
import { basicAuthorization, createRedactor } from './auth.js';
import { CustomerIoRegionError, CustomerIoValidationError } from './errors.js';
import { createHttp, type HttpResponse } from './http.js';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
import {
  type CustomerIoRegionSetting,
  isCustomerIoHost,
  normalizeRegion,
  type RegionInfo,
  resolveTrackBaseUrl,
  TRACK_REGIONS,
} from './regions.js';
import { type RetryOptions, resolveRetryOptions } from './retry.js';
import type { PreparedRequest } from './track-v1.js';
import type { CustomerIoCallOptions, CustomerIoLogger } from './types.js';

/** Client-side rate limit settings: the limiter's own options. */
export type RateLimitOptions = RateLimiterOptions;

/** Options for `createCustomerIoClient`. */
export interface CustomerIoClientOptions {
  /** Track API site id (the Basic auth user name). */
  siteId: string;
  /** Track API key (the Basic auth password). Never logged or put in an error. */
  apiKey: string;
  /**
   * The workspace's data centre. Required on purpose: an EU workspace sent to the US host is
   * redirected through US servers. `'auto'` asks Customer.io once (one extra request).
   */
  region: CustomerIoRegionSetting;
  /** Overrides the host (a proxy, a local emulator); wins over `region`. */
  baseUrl?: string;
  /** Per-attempt timeout. Default 10 000 ms. */
  timeoutMs?: number;
  /** Retry settings, or `false` for none. */
  retry?: RetryOptions | false;
  /**
   * Client-side rate limit. Default `{ requestsPerSecond: 100 }`; `false` disables. A `RateLimiter` object
   * (one with `acquire`) replaces the built-in one: a limiter shared by every process of a workspace, say,
   * since Customer.io's limit is per workspace, not per process.
   */
  rateLimit?: RateLimitOptions | RateLimiter | false;
  /** A fetch implementation (tests, proxies, instrumented fetch). Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** `User-Agent` header. */
  userAgent?: string;
  /** Logs retries and redirects (pino-compatible). */
  logger?: CustomerIoLogger;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RATE_LIMIT = 100;
const DEFAULT_USER_AGENT = 'purchasely-customerio (+https://github.com/purchasely-customerio)';

function assertCredential(value: unknown, field: 'siteId' | 'apiKey'): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    // Never echo the value: it may be a key.
    throw new CustomerIoValidationError(`${field}: must be a non-empty string`, { field });
  }
}

function parseRegionAnswer(body: unknown, redact: (text: string) => string): RegionInfo {
  const answer = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const region = answer.region;
  if (region !== 'us' && region !== 'eu') {
    // The value comes from the answer, which a reflecting proxy may have filled with our header.
    const got = redact(String(JSON.stringify(region))).slice(0, 200);
    throw new CustomerIoRegionError(
      `Customer.io's region lookup gave no usable region (got ${got})`,
    );
  }
  let url = TRACK_REGIONS[region];
  if (typeof answer.url === 'string' && answer.url !== '') {
    let parsed: URL;
    try {
      parsed = new URL(answer.url);
    } catch {
      throw new CustomerIoRegionError("Customer.io's region lookup answered an unusable url");
    }
    if (parsed.protocol !== 'https:' || !isCustomerIoHost(parsed.hostname)) {
      // Credentials only ever go to Customer.io.
      throw new CustomerIoRegionError(
        `Customer.io's region lookup pointed at ${parsed.origin}, which is not an https *.customer.io host`,
        { location: parsed.origin },
      );
    }
    url = parsed.origin;
  }
  const environmentId = Number(answer.environment_id);
  return { region, url, environmentId };
}

/** The plumbing of one client: how a prepared request is sent, and where. */
export interface Connection {
  /** Sends a prepared request to the workspace's host, within the call's limits. */
  send(request: PreparedRequest, callOptions?: CustomerIoCallOptions): Promise<HttpResponse>;
  /** Asks Customer.io which region the credentials' workspace is in (always one request). */
  lookupRegion(): Promise<RegionInfo>;
  /** Remembers a looked-up region, when the region is `'auto'` and none is known yet. */
  rememberRegion(info: RegionInfo): void;
  /** Scrubs the credentials from text bound for an error or a log. */
  redact(text: string): string;
  logger: CustomerIoLogger | undefined;
}

function isRateLimiter(value: unknown): value is RateLimiter {
  return typeof (value as { acquire?: unknown } | undefined)?.acquire === 'function';
}

/**
 * Checks the options and builds the connection.
 *
 * @throws {CustomerIoValidationError} for a missing credential, an unknown region, a bad `baseUrl`
 *   or `timeoutMs`.
 */
export function createConnection(options: CustomerIoClientOptions): Connection {
  assertCredential(options?.siteId, 'siteId');
  assertCredential(options.apiKey, 'apiKey');
  const region = normalizeRegion(options.region);
  const fixedBaseUrl = resolveTrackBaseUrl({ region, baseUrl: options.baseUrl });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // 2^31-1 is the largest delay setTimeout (and so ky's timeout) accepts.
  if (!(timeoutMs > 0 && timeoutMs <= 2_147_483_647)) {
    throw new CustomerIoValidationError(
      'timeoutMs: must be a positive number of milliseconds (at most 2147483647)',
      { field: 'timeoutMs', limit: 2_147_483_647 },
    );
  }

  const authorization = basicAuthorization(options.siteId, options.apiKey);
  // Scrub the key, and the header that encodes it, from any text bound for an error or a log.
  const token = authorization.slice('Basic '.length);
  const redact = createRedactor([
    options.apiKey,
    // Unpadded covers padded too: some reflectors drop the trailing '='.
    token.replace(/=+$/, ''),
    `${options.siteId}:${options.apiKey}`,
  ]);
  const limiter: RateLimiter | undefined =
    options.rateLimit === false
      ? undefined
      : isRateLimiter(options.rateLimit)
        ? options.rateLimit
        : createRateLimiter(options.rateLimit ?? { requestsPerSecond: DEFAULT_RATE_LIMIT });
  const http = createHttp({
    authorization,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    timeoutMs,
    fetch: options.fetch,
    retry: resolveRetryOptions(options.retry),
    limiter,
    logger: options.logger,
    redact,
    trustedOrigin:
      options.baseUrl && fixedBaseUrl !== undefined ? new URL(fixedBaseUrl).origin : undefined,
  });

  const lookupBaseUrl = fixedBaseUrl ?? TRACK_REGIONS.us; // the lookup works on either host
  let autoRegion: Promise<RegionInfo> | undefined;

  async function lookupRegion(): Promise<RegionInfo> {
    const response = await http.send({
      method: 'GET',
      baseUrl: lookupBaseUrl,
      path: '/api/v1/accounts/region',
    });
    return parseRegionAnswer(response.body, redact);
  }

  function baseUrl(): Promise<string> | string {
    if (fixedBaseUrl !== undefined) return fixedBaseUrl;
    // Concurrent first calls share one lookup; a failed lookup is forgotten so the next call retries.
    autoRegion ??= lookupRegion().catch((error: unknown) => {
      autoRegion = undefined;
      throw error;
    });
    return autoRegion.then((info) => info.url);
  }

  return {
    async send(request, callOptions = {}) {
      // Only the limits: IdentifyOptions arrive here too, and their other fields are body fields.
      const { signal, deadline } = callOptions;
      return http.send({
        method: request.method,
        path: request.path,
        body: request.body,
        baseUrl: fixedBaseUrl ?? (await baseUrl()),
        limits: { signal, deadline },
      });
    },
    lookupRegion,
    rememberRegion(info) {
      if (fixedBaseUrl === undefined) autoRegion ??= Promise.resolve(info);
    },
    redact,
    logger: options.logger,
  };
}
