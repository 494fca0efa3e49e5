import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  type HeadersLike,
  PURCHASELY_DEPRECATED_SIGNATURE_HEADER,
  PURCHASELY_SIGNATURE_HEADER,
  PURCHASELY_TIMESTAMP_HEADER,
  verifyPurchaselySignature,
} from '../../src/index.js';
import { readHeader } from '../../src/signature/headers.js';
import { NOW_SECONDS, SECRET, signedRequest } from './helpers.js';

describe('header name constants', () => {
  it('are the lower-case names Purchasely documents', () => {
    expect(PURCHASELY_SIGNATURE_HEADER).toBe('x-purchasely-request-signature');
    expect(PURCHASELY_TIMESTAMP_HEADER).toBe('x-purchasely-timestamp');
    expect(PURCHASELY_DEPRECATED_SIGNATURE_HEADER).toBe('x-purchasely-signature');
  });
});

describe('readHeader', () => {
  it('reads a Fetch API Headers instance in any casing', () => {
    const headers = new Headers({ 'X-Purchasely-Timestamp': '123' });
    expect(readHeader(headers, 'x-purchasely-timestamp')).toBe('123');
    expect(readHeader(headers, 'X-PURCHASELY-TIMESTAMP')).toBe('123');
    expect(readHeader(headers, 'x-purchasely-request-signature')).toBeUndefined();
  });

  it('reads Node IncomingHttpHeaders (lower-case keys, string[] for repeats)', () => {
    const headers: IncomingHttpHeaders = {
      'x-purchasely-timestamp': '123',
      'set-cookie': ['a=1', 'b=2'],
      'x-repeated': ['only'],
      'content-type': undefined,
    };
    expect(readHeader(headers, 'X-Purchasely-Timestamp')).toBe('123');
    expect(readHeader(headers, 'set-cookie')).toBe('a=1, b=2');
    expect(readHeader(headers, 'x-repeated')).toBe('only');
    expect(readHeader(headers, 'content-type')).toBeUndefined();
    expect(readHeader({ 'x-empty': [] }, 'x-empty')).toBeUndefined();
  });

  it('reads a plain object with mixed-case keys', () => {
    const headers = { 'X-PURCHASELY-timestamp': '123', 'Content-Type': 'application/json' };
    expect(readHeader(headers, PURCHASELY_TIMESTAMP_HEADER)).toBe('123');
    expect(readHeader(headers, 'content-type')).toBe('application/json');
  });

  it('joins keys that differ only in casing, like a duplicated header', () => {
    expect(readHeader({ 'x-a': '1', 'X-A': '2' }, 'x-a')).toBe('1, 2');
  });

  it('does not read inherited properties or non-string values', () => {
    const headers = Object.create({ 'x-inherited': 'no' }) as Record<string, string>;
    expect(readHeader(headers, 'x-inherited')).toBeUndefined();
    expect(readHeader({ 'x-n': 5 } as unknown as HeadersLike, 'x-n')).toBeUndefined();
    expect(readHeader({ toString: 'x' }, 'constructor')).toBeUndefined();
  });

  it('treats an object whose "get" key is a header value as a plain record', () => {
    expect(readHeader({ get: 'yes' }, 'get')).toBe('yes');
  });
});

describe('verifyPurchaselySignature accepts every header shape', () => {
  const request = signedRequest();
  const signature = String(request.headers['x-purchasely-request-signature']);
  const timestamp = String(NOW_SECONDS);
  const shapes: [string, HeadersLike][] = [
    [
      'Headers',
      new Headers({
        'X-PURCHASELY-REQUEST-SIGNATURE': signature,
        'X-PURCHASELY-TIMESTAMP': timestamp,
      }),
    ],
    [
      'IncomingHttpHeaders',
      {
        host: 'example.test',
        'x-purchasely-request-signature': signature,
        'x-purchasely-timestamp': timestamp,
        'x-forwarded-for': ['10.0.0.1', '10.0.0.2'],
      } satisfies IncomingHttpHeaders,
    ],
    [
      'a mixed-case plain object',
      { 'X-Purchasely-Request-Signature': signature, 'x-PURCHASELY-timestamp': timestamp },
    ],
  ];

  it.each(shapes)('%s', async (_label, headers) => {
    const result = await verifyPurchaselySignature({
      body: request.body,
      headers,
      secret: SECRET,
      now: request.now,
    });
    expect(result.ok).toBe(true);
  });
});
