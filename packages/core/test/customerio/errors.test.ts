import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Utf8, basicAuthorization, createRedactor } from '../../src/customerio/auth.js';
import {
  CustomerIoAbortError,
  CustomerIoBatchError,
  CustomerIoDeadlineError,
  CustomerIoError,
  CustomerIoHttpError,
  CustomerIoNetworkError,
  CustomerIoRegionError,
  CustomerIoTimeoutError,
  CustomerIoValidationError,
  isCustomerIoBatchError,
  isCustomerIoError,
  isCustomerIoHttpError,
  isCustomerIoNetworkError,
  isCustomerIoRegionError,
  isCustomerIoTimeoutError,
  isCustomerIoValidationError,
} from '../../src/customerio/errors.js';
import { createCustomerIoClient } from '../../src/customerio/index.js';
import { PurchaselyCustomerIoError } from '../../src/errors.js';

describe('error classes', () => {
  const http = new CustomerIoHttpError({
    message: 'Customer.io answered 400',
    status: 400,
    body: { meta: { error: 'bad' } },
    headers: { 'content-type': 'application/json' },
    method: 'PUT',
    path: '/api/v1/customers/1',
    retryable: false,
  });

  it('set their names and extend the base', () => {
    const errors = [
      http,
      new CustomerIoValidationError('v', { field: 'f' }),
      new CustomerIoTimeoutError({ method: 'GET', path: '/', timeoutMs: 5 }),
      new CustomerIoNetworkError({ message: 'n', method: 'GET', path: '/' }),
      new CustomerIoRegionError('r'),
      new CustomerIoBatchError({
        message: 'b',
        requestsSent: 1,
        operationsSent: 2,
        failures: [],
        cause: http,
      }),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(CustomerIoError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
      expect(isCustomerIoError(error)).toBe(true);
      expect(String(error.stack)).toContain(error.name);
    }
  });

  it('carry a cause', () => {
    const cause = new TypeError('fetch failed');
    const error = new CustomerIoNetworkError({ message: 'n', method: 'GET', path: '/', cause });
    expect(error.cause).toBe(cause);
    // A foreign cause's message is third-party text (it may echo a credential): name and code only.
    expect(error.toJSON().cause).toEqual({ name: 'TypeError' });
    const coded = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const network = new CustomerIoNetworkError({
      message: 'n',
      method: 'GET',
      path: '/',
      cause: coded,
    });
    expect(network.toJSON().cause).toEqual({ name: 'Error', code: 'ECONNREFUSED' });
  });

  it('type guards match by name too (errors from another copy of the module)', () => {
    const foreign = (name: string) => Object.assign(new Error('x'), { name });
    expect(isCustomerIoHttpError(foreign('CustomerIoHttpError'))).toBe(true);
    expect(isCustomerIoValidationError(foreign('CustomerIoValidationError'))).toBe(true);
    expect(isCustomerIoTimeoutError(foreign('CustomerIoTimeoutError'))).toBe(true);
    expect(isCustomerIoNetworkError(foreign('CustomerIoNetworkError'))).toBe(true);
    expect(isCustomerIoRegionError(foreign('CustomerIoRegionError'))).toBe(true);
    expect(isCustomerIoBatchError(foreign('CustomerIoBatchError'))).toBe(true);
    expect(isCustomerIoError(foreign('CustomerIoTimeoutError'))).toBe(true);
    expect(isCustomerIoError(foreign('TypeError'))).toBe(false);
    expect(isCustomerIoHttpError(foreign('CustomerIoTimeoutError'))).toBe(false);
    expect(isCustomerIoError(null)).toBe(false);
    expect(isCustomerIoError('CustomerIoError')).toBe(false);
  });

  it('serialise their data with toJSON', () => {
    expect(JSON.parse(JSON.stringify(http))).toEqual({
      name: 'CustomerIoHttpError',
      code: 'customerio_http',
      message: 'Customer.io answered 400',
      status: 400,
      method: 'PUT',
      path: '/api/v1/customers/1',
      retryable: false,
      hasCustomerIoErrorBody: true,
      body: { meta: { error: 'bad' } },
      headers: { 'content-type': 'application/json' },
    });
  });
});

describe('error serialisation without per-class toJSON', () => {
  const http = new CustomerIoHttpError({
    message: 'Customer.io answered 503',
    status: 503,
    body: 'Service Unavailable',
    headers: { 'retry-after': '1' },
    method: 'POST',
    path: '/api/v2/batch',
    retryable: true,
  });

  it.each([
    [
      new CustomerIoValidationError('too long', {
        field: 'attributes.plan',
        limit: 1000,
        actual: 1200,
        index: 3,
      }),
      {
        code: 'customerio_validation',
        field: 'attributes.plan',
        limit: 1000,
        actual: 1200,
        index: 3,
      },
    ],
    [
      new CustomerIoTimeoutError({ method: 'GET', path: '/x', timeoutMs: 5 }),
      { code: 'customerio_timeout', method: 'GET', path: '/x', timeoutMs: 5 },
    ],
    [
      new CustomerIoDeadlineError({
        waitMs: 900,
        deadline: 2000,
        now: 1500,
        method: 'PUT',
        path: '/p',
      }),
      {
        code: 'customerio_deadline',
        waitMs: 900,
        deadline: 2000,
        refusedAt: 1500,
        method: 'PUT',
        path: '/p',
      },
    ],
    [
      new CustomerIoAbortError({ method: 'GET', path: '/a' }),
      { code: 'customerio_abort', method: 'GET', path: '/a' },
    ],
    [
      new CustomerIoNetworkError({ message: 'n', method: 'GET', path: '/n' }),
      { code: 'customerio_network', method: 'GET', path: '/n' },
    ],
    [
      new CustomerIoRegionError('r', { status: 301, location: 'https://track-eu.customer.io' }),
      { code: 'customerio_region', status: 301, location: 'https://track-eu.customer.io' },
    ],
    [new CustomerIoError('closed'), { code: 'customerio' }],
  ])('%s serialises its name, code, message and fields', (error, expected) => {
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: error.name,
      message: error.message,
      ...expected,
    });
    expect(error.code).toBe(expected.code);
    expect(error).toBeInstanceOf(PurchaselyCustomerIoError);
  });

  it('a batch error keeps its counts and serialises its SDK cause in full', () => {
    const batch = new CustomerIoBatchError({
      message: 'batch failed after 2 requests',
      requestsSent: 2,
      operationsSent: 150,
      failures: [{ index: 4, message: 'bad attribute' }],
      cause: http,
    });
    expect(JSON.parse(JSON.stringify(batch))).toEqual({
      name: 'CustomerIoBatchError',
      code: 'customerio_batch',
      message: 'batch failed after 2 requests',
      requestsSent: 2,
      operationsSent: 150,
      failures: [{ index: 4, message: 'bad attribute' }],
      cause: JSON.parse(JSON.stringify(http)),
    });
    expect(batch.toJSON().cause).toMatchObject({ code: 'customerio_http', status: 503 });
  });

  it('no class overrides toJSON: the one on PurchaselyCustomerIoError serves them all', () => {
    for (const ctor of [
      CustomerIoError,
      CustomerIoHttpError,
      CustomerIoValidationError,
      CustomerIoTimeoutError,
      CustomerIoDeadlineError,
      CustomerIoAbortError,
      CustomerIoNetworkError,
      CustomerIoRegionError,
      CustomerIoBatchError,
    ]) {
      expect(Object.hasOwn(ctor.prototype, 'toJSON'), ctor.name).toBe(false);
    }
  });
});

describe('basic auth', () => {
  it('encodes UTF-8 bytes, so non-Latin-1 credentials work', () => {
    expect(basicAuthorization('site', 'key')).toBe(`Basic ${btoa('site:key')}`);
    expect(() => btoa('site:clé€')).toThrow();
    expect(basicAuthorization('site', 'clé€')).toBe(
      `Basic ${Buffer.from('site:clé€', 'utf8').toString('base64')}`,
    );
  });

  it('base64-encodes arbitrary text like Buffer (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        expect(base64Utf8(text)).toBe(Buffer.from(text, 'utf8').toString('base64'));
      }),
    );
  });

  it('redacts secrets from text', () => {
    const redact = createRedactor(['s3cret-key', 'abc']);
    expect(redact('the key s3cret-key leaked; abc stays')).toBe(
      'the key [redacted] leaked; abc stays',
    );
  });
});

/** Realistic keys: long enough to be unlikely to occur by chance in a path or message. */
const keyArb = fc.stringMatching(/^[A-Za-z0-9]{16,40}$/);

describe('the API key never leaks (property)', () => {
  it('is absent from messages, toJSON and util.inspect of every error the client throws', async () => {
    await fc.assert(
      fc.asyncProperty(
        keyArb,
        fc.constantFrom(400, 401, 403, 404, 422, 500, 502, 503),
        fc.constantFrom('json', 'text', 'html', 'echo', 'network', 'redirect'),
        async (apiKey, status, kind) => {
          const authorization = basicAuthorization('site-1', apiKey);
          const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
            const request = new Request(input, init);
            const seen = request.headers.get('authorization') ?? '';
            if (kind === 'network') {
              throw new TypeError(`fetch failed with ${seen}`, { cause: new Error(apiKey) });
            }
            if (kind === 'redirect') {
              return new Response(null, {
                status: 301,
                headers: { location: `https://evil.example/${apiKey}` },
              });
            }
            const body =
              kind === 'json'
                ? JSON.stringify({ meta: { error: `bad ${apiKey}` } })
                : kind === 'html'
                  ? `<html><body>Bad gateway ${seen}</body></html>`
                  : kind === 'echo'
                    ? `you sent ${seen} with ${apiKey}`
                    : 'Unauthorized request';
            return new Response(body, { status });
          };
          const client = createCustomerIoClient({
            siteId: 'site-1',
            apiKey,
            region: 'us',
            retry: { limit: 1, random: () => 0 },
            rateLimit: false,
            fetch: fakeFetch,
          });
          const error = await client
            .track('user-1', { name: 'purchase', data: { plan: 'pro' } })
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(isCustomerIoError(error)).toBe(true);
          const token = authorization.slice('Basic '.length);
          for (const text of [
            (error as Error).message,
            JSON.stringify(error),
            inspect(error, { depth: 10, showHidden: true }),
            String(error),
          ]) {
            expect(text).not.toContain(apiKey);
            expect(text).not.toContain(token);
          }
          expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(apiKey);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('credentials reflected by an upstream never leak (property)', () => {
  /** What a reflecting proxy can do with the request's Authorization header. */
  const reflections = fc.constantFrom('header', 'authorization-header', 'key-header', 'unpadded');

  it('is absent from headers, messages and toJSON of HTTP errors and of 207 results', async () => {
    await fc.assert(
      fc.asyncProperty(
        keyArb,
        fc.constantFrom(400, 404, 413, 503),
        reflections,
        async (apiKey, status, reflection) => {
          const authorization = basicAuthorization('site-1', apiKey);
          const token = authorization.slice('Basic '.length);
          const echoed = (seen: string): Record<string, string> => {
            if (reflection === 'authorization-header') return { authorization: seen };
            if (reflection === 'key-header') return { 'x-api-key': apiKey };
            // Some reflectors drop base64 padding.
            if (reflection === 'unpadded') return { 'x-token': seen.replace(/=+$/, '') };
            return { 'x-echo-authorization': seen };
          };
          let answer: 'error' | '207' | 'unreadable-207' = 'error';
          const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
            const seen = new Request(input, init).headers.get('authorization') ?? '';
            const headers = { ...echoed(seen), 'content-type': 'application/json' };
            if (answer === '207') {
              const errors = [
                { batch_index: 0, reason: seen, field: apiKey, message: `you sent ${seen}` },
                { message: `echo ${token} ${apiKey}` },
              ];
              return new Response(JSON.stringify({ errors }), { status: 207, headers });
            }
            if (answer === 'unreadable-207') {
              return new Response(`<p>${seen}</p>`, { status: 207, headers });
            }
            return new Response(`denied: ${seen}`, { status, headers });
          };
          const client = createCustomerIoClient({
            siteId: 'site-1',
            apiKey,
            region: 'us',
            retry: false,
            rateLimit: false,
            fetch: fakeFetch,
          });
          const operation = {
            type: 'person' as const,
            action: 'event' as const,
            identifiers: { id: 'u1' },
            name: 'purchase',
          };
          const texts: string[] = [];
          const error = await client.track('user-1', { name: 'purchase' }).catch((e) => e);
          expect(isCustomerIoHttpError(error)).toBe(true);
          texts.push(JSON.stringify(error), JSON.stringify((error as CustomerIoHttpError).headers));
          answer = 'unreadable-207';
          const unreadable = await client.batch([operation]).catch((e) => e);
          expect(isCustomerIoHttpError(unreadable)).toBe(true);
          texts.push(JSON.stringify(unreadable), inspect(unreadable, { depth: 10 }));
          answer = '207';
          const result = await client.batch([operation]);
          expect(result.failures).toHaveLength(1);
          expect(result.unattributed).toHaveLength(1);
          texts.push(JSON.stringify(result));
          for (const text of texts) {
            expect(text).not.toContain(apiKey);
            expect(text).not.toContain(token.replace(/=+$/, ''));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
