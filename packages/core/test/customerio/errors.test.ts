import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Utf8, basicAuthorization, createRedactor } from '../../src/customerio/auth.js';
import {
  CustomerIoBatchError,
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
    expect(error.toJSON().cause).toEqual({ name: 'TypeError', message: 'fetch failed' });
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
            retry: { limit: 1, sleep: async () => {}, random: () => 0 },
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
