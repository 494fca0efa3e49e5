/**
 * The HTTP layer: one ky instance per client (headers, per-attempt timeout, rate-limit hook,
 * injectable `fetch`), manual redirects, error mapping and the retry loop.
 *
 * ky's own retry is off (`retry: 0`) and `throwHttpErrors` is false: the client classifies every
 * response by status itself, reads error bodies as text first (an HTML 502 or Customer.io's
 * plain-text 401 never crashes a JSON parser), and never lets ky's `HTTPError`/`TimeoutError`
 * escape, because both hold the `Request` and with it the `Authorization` header.
 *
 * @module
 */
import ky, { TimeoutError } from 'ky';
import {
  CustomerIoAbortError,
  CustomerIoDeadlineError,
  CustomerIoHttpError,
  CustomerIoNetworkError,
  CustomerIoRegionError,
  CustomerIoTimeoutError,
  isCustomerIoAbortError,
  isCustomerIoDeadlineError,
  isCustomerIoErrorBody,
  type ResponseHeaders,
} from './errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { isRedirectStatus, resolveRedirect } from './redirects.js';
import { regionHint, regionOfUrl } from './regions.js';
import { isRetryableStatus, type ResolvedRetryOptions, withRetry } from './retry.js';
import type { TrackMethod } from './track-v1.js';
import type { CustomerIoCallOptions, CustomerIoLogger } from './types.js';

/** What the transport needs; built by the client from its options. */
export interface TransportOptions {
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
export interface TransportRequest {
  method: TrackMethod;
  /** Absolute base, without a trailing slash. */
  baseUrl: string;
  path: string;
  body?: string | undefined;
  /** The caller's signal and deadline; they hold for every attempt and redirect hop. */
  limits?: CustomerIoCallOptions | undefined;
}

/** A 2xx answer. */
export interface TransportResponse {
  status: number;
  /** Parsed JSON, the text when not JSON, or `undefined` when empty. */
  body: unknown;
  headers: ResponseHeaders;
}

/** Sends requests with retries, redirects and the shared limiter. */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
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

/**
 * Creates the transport.
 *
 * @example
 * ```ts
 * const transport = createTransport(options);
 * await transport.send({ method: 'GET', baseUrl: 'https://track.customer.io', path: '/api/v1/accounts/region' });
 * ```
 */
export function createTransport(options: TransportOptions): Transport {
  const { redact, logger, limiter } = options;
  const http = ky.create({
    retry: 0,
    timeout: options.timeoutMs,
    throwHttpErrors: false,
    // Never let fetch turn a redirected POST/PUT into a body-less GET: redirects are ours.
    redirect: 'manual',
    headers: {
      authorization: options.authorization,
      'user-agent': options.userAgent,
      accept: 'application/json',
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    hooks: {
      // Runs before ky starts the per-attempt timeout, so waiting for a slot never times out.
      beforeRequest: limiter
        ? [
            (_request, { context }) =>
              limiter.acquire(context.limits as CustomerIoCallOptions | undefined),
          ]
        : [],
    },
  });
  const warnedRedirects = new Set<string>();

  async function attempt(
    request: TransportRequest,
    attemptNumber: number,
  ): Promise<TransportResponse> {
    const { method, path, body, limits } = request;
    const signal = limits?.signal;
    let url = request.baseUrl + path;
    for (let hops = 0; ; hops++) {
      let response: Response;
      try {
        response = await http(url, {
          method,
          ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
          ...(signal ? { signal } : {}),
          context: { limits },
        });
      } catch (error) {
        // First: the caller's own `AbortSignal.timeout` also aborts with a TimeoutError.
        if (signal?.aborted) throw new CustomerIoAbortError({ method, path, cause: signal.reason });
        if (isCustomerIoDeadlineError(error)) {
          // From the limiter, which does not know the request: name it for the logs.
          const { waitMs, deadline, refusedAt } = error;
          throw new CustomerIoDeadlineError({ waitMs, deadline, now: refusedAt, method, path });
        }
        // By class and by name: ky's own, a second ky copy's, or a fetch `AbortSignal.timeout`.
        if (
          error instanceof TimeoutError ||
          (error as { name?: unknown })?.name === 'TimeoutError'
        ) {
          throw new CustomerIoTimeoutError({ method, path, timeoutMs: options.timeoutMs });
        }
        const reason = error instanceof Error ? error.message : String(error);
        throw new CustomerIoNetworkError({
          message: `network error on ${method} ${path}: ${redact(reason)}`,
          method,
          path,
          cause: safeCause(error, redact),
        });
      }
      logger?.debug(
        { method, path, status: response.status, attempt: attemptNumber, hops },
        'customer.io response',
      );

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
      const parsed = parseBody(text);
      const headers = headersToRecord(response.headers, redact);
      if (response.ok) return { status: response.status, body: parsed, headers };

      const safeBody = redactBody(parsed, redact);
      const detail = describeErrorBody(safeBody);
      throw new CustomerIoHttpError({
        message: `Customer.io answered ${response.status} to ${method} ${path}${detail ? `: ${detail}` : ''}${statusHint(response.status)}`,
        status: response.status,
        body: safeBody,
        headers,
        method,
        path,
        retryable: isRetryableStatus(response.status),
        // Read before scrubbing, which can turn JSON into text.
        hasCustomerIoErrorBody: isCustomerIoErrorBody(parsed),
      });
    }
  }

  async function send(request: TransportRequest): Promise<TransportResponse> {
    const signal = request.limits?.signal;
    try {
      return await withRetry(
        (attemptNumber) => attempt(request, attemptNumber),
        options.retry,
        ({ retry, delayMs, error }) => {
          logger?.warn(
            {
              method: request.method,
              path: request.path,
              retry,
              delayMs: Math.round(delayMs),
              error: (error as { name?: string }).name,
              status: (error as { status?: number }).status,
            },
            'customer.io request failed; retrying',
          );
        },
        request.limits,
      );
    } catch (error) {
      // An abort before an attempt or during a retry wait rejects with the signal's own reason.
      if (signal?.aborted && !isCustomerIoAbortError(error)) {
        throw new CustomerIoAbortError({
          method: request.method,
          path: request.path,
          cause: signal.reason,
        });
      }
      throw error;
    }
  }

  return { send };
}
