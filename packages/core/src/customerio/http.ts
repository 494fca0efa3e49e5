/**
 * The HTTP layer: one ky instance per client, used as designed: its retry and its retry waits (see
 * `retry.ts`), its per-attempt timeout, its `beforeRequest` hook (the rate limiter before every
 * attempt) and its errors, which are mapped here onto the client's own classes.
 *
 * What stays ours:
 * - redirects (`redirect: 'manual'`, see `redirects.ts`): fetch's `'follow'` turns a redirected
 *   POST into a body-less GET on 301/302 and drops `Authorization` on a cross-origin hop (the US
 *   host sending an EU workspace to `track-eu`), and neither fetch nor ky can restrict the targets
 *   to `*.customer.io` or say which region setting to fix;
 * - reading error bodies as text first (an HTML 502 or Customer.io's plain-text 401 never crashes
 *   a JSON parser), scrubbed of credentials: ky's `HTTPError` and `TimeoutError` hold the
 *   `Request`, and with it the `Authorization` header, so they never escape.
 *
 * @module
 */
import ky, { HTTPError } from 'ky';
import {
  CustomerIoAbortError,
  CustomerIoDeadlineError,
  CustomerIoHttpError,
  CustomerIoNetworkError,
  CustomerIoRegionError,
  CustomerIoTimeoutError,
  isCustomerIoDeadlineError,
  isCustomerIoError,
  isCustomerIoErrorBody,
  type ResponseHeaders,
} from './errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { isRedirectStatus, resolveRedirect } from './redirects.js';
import { regionHint, regionOfUrl } from './regions.js';
import {
  callRetryOptions,
  isRetryableStatus,
  isTimeout,
  kyRetryOptions,
  type ResolvedRetryOptions,
  type RetryEvent,
  type RetryState,
  startRetryState,
} from './retry.js';
import type { TrackMethod } from './track-v1.js';
import type { CustomerIoCallOptions, CustomerIoLogger } from './types.js';

/** What the HTTP layer needs; built by the client from its options. */
export interface HttpOptions {
  authorization: string;
  userAgent: string;
  timeoutMs: number;
  fetch: typeof globalThis.fetch | undefined;
  retry: ResolvedRetryOptions;
  limiter: RateLimiter | undefined;
  logger: CustomerIoLogger | undefined;
  /** Scrubs credentials from text that may reach an error or a log line. */
  redact: (text: string) => string;
  /** Origin of the configured `baseUrl`, trusted as a redirect target. */
  trustedOrigin: string | undefined;
}

/** One logical call. */
export interface HttpRequest {
  method: TrackMethod;
  /** Absolute base, without a trailing slash. */
  baseUrl: string;
  path: string;
  body?: string | undefined;
  /** The caller's signal and deadline; they hold for every attempt and redirect hop. */
  limits?: CustomerIoCallOptions | undefined;
}

/** A 2xx answer. */
export interface HttpResponse {
  status: number;
  /** Parsed JSON, the text when not JSON, or `undefined` when empty. */
  body: unknown;
  headers: ResponseHeaders;
}

/** Sends requests with retries, redirects and the shared limiter. */
export interface Http {
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** Longest response text kept on an error. */
const MAX_ERROR_TEXT = 8 * 1024;

/** Headers that carry credentials by definition; a proxy may echo ours back in them. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization']);

/** Response headers, scrubbed: a reflecting upstream may echo the request's Authorization. */
function headersToRecord(headers: Headers, redact: (text: string) => string): ResponseHeaders {
  const record: ResponseHeaders = {};
  headers.forEach((value, key) => {
    const name = key.toLowerCase();
    record[name] = CREDENTIAL_HEADERS.has(name) ? '[redacted]' : redact(value);
  });
  return record;
}

/** Parses JSON when it is JSON; otherwise keeps the text. Never throws. */
export function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function looksLikeHtml(text: string): boolean {
  return /^\s*<(!doctype|html|head|body|\?xml)/i.test(text);
}

/**
 * A one-line explanation of an error body: Track v1 `meta.error`/`meta.errors`, Track v2
 * `errors[].message`, else the start of the text.
 */
export function describeErrorBody(body: unknown): string | undefined {
  if (typeof body === 'string') {
    if (looksLikeHtml(body)) return 'non-JSON HTML body';
    const line = body.trim().replace(/\s+/g, ' ');
    return line.length > 200 ? `${line.slice(0, 200)}…` : line || undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { meta, errors } = body as {
    meta?: { error?: unknown; errors?: unknown };
    errors?: unknown;
  };
  if (typeof meta?.error === 'string') return meta.error;
  if (Array.isArray(meta?.errors)) return meta.errors.map(String).join('; ');
  if (Array.isArray(errors)) {
    return errors
      .map((e) => {
        if (typeof e !== 'object' || e === null) return String(e);
        const { field, message, reason } = e as Record<string, unknown>;
        const text = typeof message === 'string' ? message : String(reason ?? 'error');
        return typeof field === 'string' && field ? `${field}: ${text}` : text;
      })
      .join('; ');
  }
  return undefined;
}

function statusHint(status: number): string {
  if (status === 401) {
    return " (check siteId and apiKey; a US workspace called on the EU host also answers 401, and region: 'auto' detects the right host)";
  }
  return '';
}

async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
  }
}

/** The error body with any credential scrubbed (text truncated, JSON re-parsed after scrubbing). */
function redactBody(body: unknown, redact: (text: string) => string): unknown {
  if (typeof body === 'string') return redact(body).slice(0, MAX_ERROR_TEXT);
  if (body === undefined) return body;
  const json = JSON.stringify(body);
  const scrubbed = redact(json);
  if (scrubbed === json) return body;
  try {
    return JSON.parse(scrubbed);
  } catch {
    return scrubbed.slice(0, MAX_ERROR_TEXT);
  }
}

function discard(response: Response): void {
  // Free the connection; ignore streams that are already closed or locked.
  response.body?.cancel().catch(() => undefined);
}

/**
 * A cause that is safe to keep on an error: the original when it holds no request or options
 * (those carry the Authorization header), else a plain copy of its name and scrubbed message.
 */
function safeCause(error: unknown, redact: (text: string) => string): unknown {
  if (error instanceof Error) {
    const risky = ['request', 'options', 'response', 'headers', 'config'].some((key) =>
      Object.hasOwn(error, key),
    );
    if (!risky && redact(error.message) === error.message) return error;
    const copy = new Error(redact(error.message));
    copy.name = error.name;
    return copy;
  }
  return redact(String(error));
}

/** Context ky hands to the hooks: the call's retry state and what to name it by in logs. */
interface CallContext {
  state: RetryState;
  method: TrackMethod;
  path: string;
}

/**
 * Creates the HTTP layer.
 *
 * @example
 * ```ts
 * const http = createHttp(options);
 * await http.send({ method: 'GET', baseUrl: 'https://track.customer.io', path: '/api/v1/accounts/region' });
 * ```
 */
export function createHttp(options: HttpOptions): Http {
  const { redact, logger, limiter, retry } = options;
  const callOf = (context: Record<string, unknown>) => context as unknown as CallContext;
  const http = ky.create({
    timeout: options.timeoutMs,
    // 3xx come back as answers: redirects are ours (see the module comment).
    throwHttpErrors: (status) => status >= 400,
    redirect: 'manual',
    retry: kyRetryOptions(retry),
    headers: {
      authorization: options.authorization,
      'user-agent': options.userAgent,
      accept: 'application/json',
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    hooks: {
      // Runs before ky starts the per-attempt timeout, so waiting for a slot never times out.
      beforeRequest: limiter
        ? [(_request, { context }) => limiter.acquire(callOf(context).state.limits)]
        : [],
    },
  });
  const warnedRedirects = new Set<string>();

  /**
   * Logged when the retry is decided, before ky's wait (its `beforeRetry` hook runs after it, and
   * a 30 s `Retry-After` would go unexplained until then).
   */
  function logRetry({ method, path }: CallContext, { retry, delayMs, error }: RetryEvent): void {
    logger?.warn(
      {
        method,
        path,
        retry,
        delayMs: Math.round(delayMs),
        error: errorName(error),
        status: error instanceof HTTPError ? error.response.status : undefined,
      },
      'customer.io request failed; retrying',
    );
  }

  /** ky's (or fetch's) error, as one of ours: nothing that holds the request escapes. */
  async function toCustomerIoError(
    error: unknown,
    { method, path, state }: CallContext,
  ): Promise<unknown> {
    const signal = state.limits?.signal;
    // First: the caller's own `AbortSignal.timeout` also aborts with a TimeoutError.
    if (signal?.aborted) return new CustomerIoAbortError({ method, path, cause: signal.reason });
    if (isCustomerIoDeadlineError(error)) {
      // From the limiter, which does not know the request: name it for the logs.
      const { waitMs, deadline, refusedAt } = error;
      return new CustomerIoDeadlineError({ waitMs, deadline, now: refusedAt, method, path });
    }
    if (isCustomerIoError(error)) return error;
    if (error instanceof HTTPError) return httpError(error.response, method, path);
    if (isTimeout(error)) {
      return new CustomerIoTimeoutError({ method, path, timeoutMs: options.timeoutMs });
    }
    const reason = error instanceof Error ? error.message : String(error);
    return new CustomerIoNetworkError({
      message: `network error on ${method} ${path}: ${redact(reason)}`,
      method,
      path,
      cause: safeCause(error, redact),
    });
  }

  async function httpError(
    response: Response,
    method: string,
    path: string,
  ): Promise<CustomerIoHttpError> {
    const parsed = parseBody(await readText(response));
    const safeBody = redactBody(parsed, redact);
    const detail = describeErrorBody(safeBody);
    return new CustomerIoHttpError({
      message: `Customer.io answered ${response.status} to ${method} ${path}${detail ? `: ${detail}` : ''}${statusHint(response.status)}`,
      status: response.status,
      body: safeBody,
      headers: headersToRecord(response.headers, redact),
      method,
      path,
      retryable: isRetryableStatus(response.status),
      // Read before scrubbing, which can turn JSON into text.
      hasCustomerIoErrorBody: isCustomerIoErrorBody(parsed),
    });
  }

  async function send(request: HttpRequest): Promise<HttpResponse> {
    const { method, path, body, limits } = request;
    const signal = limits?.signal;
    const call: CallContext = { state: startRetryState(limits), method, path };
    const callRetry = callRetryOptions(
      call.state,
      retry,
      logger ? (event) => logRetry(call, event) : undefined,
    );
    let url = request.baseUrl + path;
    for (let hops = 0; ; hops++) {
      let response: Response;
      try {
        response = await http(url, {
          method,
          ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
          ...(signal ? { signal } : {}),
          retry: callRetry,
          context: call as unknown as Record<string, unknown>,
        });
      } catch (error) {
        throw await toCustomerIoError(error, call);
      }
      logger?.debug({ method, path, status: response.status, hops }, 'customer.io response');

      if (response.type === 'opaqueredirect') {
        // Browsers hide manual redirects; the target (and so the region) is unknowable here.
        throw new CustomerIoRegionError(
          `Customer.io redirected ${method} ${path} and this runtime hides the target; set region: 'auto' or the workspace's region`,
        );
      }
      if (isRedirectStatus(response.status)) {
        const next = resolveRedirect({
          status: response.status,
          location: response.headers.get('location'),
          currentUrl: url,
          method,
          path,
          hops,
          trustedOrigin: options.trustedOrigin,
        });
        discard(response);
        const origin = new URL(next).origin;
        if (logger && !warnedRedirects.has(origin)) {
          warnedRedirects.add(origin);
          const region = regionOfUrl(next);
          logger.warn(
            { method, path, status: response.status, location: origin },
            `customer.io redirected the request to ${origin}${region ? `: ${regionHint(region)} to avoid the extra hop` : ''}`,
          );
        }
        url = next;
        continue;
      }

      const text = await readText(response);
      // An abort while the body streamed in: the answer is no longer awaited.
      if (signal?.aborted) throw new CustomerIoAbortError({ method, path, cause: signal.reason });
      return {
        status: response.status,
        body: parseBody(text),
        headers: headersToRecord(response.headers, redact),
      };
    }
  }

  return { send };
}

function errorName(error: unknown): string | undefined {
  if (error instanceof HTTPError) return 'CustomerIoHttpError';
  if (isTimeout(error)) return 'CustomerIoTimeoutError';
  return isCustomerIoError(error) ? error.name : 'CustomerIoNetworkError';
}
