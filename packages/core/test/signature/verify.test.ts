import { describe, expect, it, vi } from 'vitest';
import {
  PurchaselyRawBodyError,
  PurchaselySignatureConfigError,
  type SignatureVerificationResult,
  type VerifyPurchaselySignatureOptions,
  verifyPurchaselySignature,
} from '../../src/index.js';
import {
  deprecatedSignature,
  NOW_MS,
  NOW_SECONDS,
  SECRET,
  signedRequest,
  withoutHeader,
} from './helpers.js';

const verify = (options: VerifyPurchaselySignatureOptions) => verifyPurchaselySignature(options);

function expectFailure(result: SignatureVerificationResult, reason: string): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.reason).toBe(reason);
  expect(result.message.length).toBeGreaterThan(10);
}

describe('verifyPurchaselySignature: a valid request', () => {
  it('is accepted with the matching secret', async () => {
    const result = await verify(signedRequest());
    expect(result).toEqual({
      ok: true,
      scheme: 'request-signature',
      timestamp: NOW_SECONDS,
      secretIndex: 0,
      warnings: [],
    });
  });

  it('accepts an upper-case rendering of the right signature (same MAC bytes)', async () => {
    const request = signedRequest();
    const signature = String(request.headers['x-purchasely-request-signature']);
    const result = await verify({
      ...request,
      headers: { ...request.headers, 'x-purchasely-request-signature': signature.toUpperCase() },
    });
    expect(result.ok).toBe(true);
  });

  it('trims whitespace around header values', async () => {
    const request = signedRequest();
    const signature = String(request.headers['x-purchasely-request-signature']);
    const result = await verify({
      ...request,
      headers: {
        'x-purchasely-request-signature': `  ${signature}\t`,
        'x-purchasely-timestamp': ` ${NOW_SECONDS} `,
      },
    });
    expect(result.ok).toBe(true);
  });

  it('accepts a single-entry array value, as Node may give', async () => {
    const request = signedRequest();
    const result = await verify({
      ...request,
      headers: {
        'x-purchasely-request-signature': [
          String(request.headers['x-purchasely-request-signature']),
        ],
        'x-purchasely-timestamp': [String(NOW_SECONDS)],
      },
    });
    expect(result.ok).toBe(true);
  });

  it('rotation: reports the index of the secret that matched', async () => {
    const request = signedRequest();
    const result = await verify({ ...request, secret: ['old-secret-000', SECRET] });
    expect(result).toMatchObject({ ok: true, secretIndex: 1 });
  });

  it('rotation: the first matching secret wins when a secret is listed twice', async () => {
    const result = await verify({ ...signedRequest(), secret: [SECRET, 'other', SECRET] });
    expect(result).toMatchObject({ ok: true, secretIndex: 0 });
  });

  it('reads a millisecond timestamp (>= 1e11) as milliseconds and reports seconds', async () => {
    const timestampMs = String(NOW_MS - 2_500);
    const result = await verify(signedRequest({ timestamp: timestampMs }));
    expect(result).toMatchObject({ ok: true, timestamp: NOW_SECONDS - 3 });
  });

  it('applies the tolerance to a millisecond timestamp in milliseconds', async () => {
    const tooOld = await verify(signedRequest({ timestamp: String(NOW_MS - 300_001) }));
    expectFailure(tooOld, 'timestamp_too_old');
    const edge = await verify(signedRequest({ timestamp: String(NOW_MS - 300_000) }));
    expect(edge.ok).toBe(true);
  });

  it('verifies the HMAC over the timestamp string as sent (leading zeros included)', async () => {
    const result = await verify(signedRequest({ timestamp: `000${NOW_SECONDS}` }));
    expect(result).toMatchObject({ ok: true, timestamp: NOW_SECONDS });
  });

  it('uses the current header and ignores the deprecated one when both are present', async () => {
    const request = signedRequest();
    const onWarning = vi.fn();
    const result = await verify({
      ...request,
      headers: {
        ...request.headers,
        'x-purchasely-signature': deprecatedSignature(SECRET, String(NOW_SECONDS)),
      },
      allowDeprecatedSignature: true,
      onWarning,
    });
    expect(result).toMatchObject({ ok: true, scheme: 'request-signature', warnings: [] });
    expect(onWarning).not.toHaveBeenCalled();
  });

  it('never falls back to the deprecated header when the current one fails', async () => {
    const request = signedRequest({ signWith: 'attacker' });
    const result = await verify({
      ...request,
      headers: {
        ...request.headers,
        'x-purchasely-signature': deprecatedSignature(SECRET, String(NOW_SECONDS)),
      },
      allowDeprecatedSignature: true,
    });
    expectFailure(result, 'signature_mismatch');
  });

  it('defaults the clock to Date.now', async () => {
    vi.useFakeTimers({ now: NOW_MS + 1_000, toFake: ['Date'] });
    try {
      const { now: _unused, ...request } = signedRequest();
      expect((await verify(request)).ok).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('verifyPurchaselySignature: one broken thing per test', () => {
  it('missing_signature', async () => {
    const request = signedRequest();
    const headers = withoutHeader(request.headers, 'x-purchasely-request-signature');
    expectFailure(await verify({ ...request, headers }), 'missing_signature');
  });

  it('missing_signature for an empty header value', async () => {
    const request = signedRequest();
    const headers = { ...request.headers, 'x-purchasely-request-signature': '  ' };
    expectFailure(await verify({ ...request, headers }), 'missing_signature');
  });

  it('missing_timestamp', async () => {
    const request = signedRequest();
    const headers = withoutHeader(request.headers, 'x-purchasely-timestamp');
    expectFailure(await verify({ ...request, headers }), 'missing_timestamp');
  });

  it.each([
    ['a negative number', `-${NOW_SECONDS}`],
    ['a decimal', `${NOW_SECONDS}.5`],
    ['an ISO date', '2023-10-26T12:07:02Z'],
    ['hex', '0x6539f366'],
    ['an exponent', '1.698322022e9'],
    ['beyond a safe integer', '99999999999999999999'],
    ['a duplicated header', `${NOW_SECONDS}, ${NOW_SECONDS}`],
  ])('invalid_timestamp: %s', async (_label, timestamp) => {
    const request = signedRequest({ timestamp });
    expectFailure(await verify(request), 'invalid_timestamp');
  });

  it('timestamp_too_old: one second past the default 300 s tolerance', async () => {
    const request = signedRequest({ timestamp: String(NOW_SECONDS - 301) });
    const result = await verify(request);
    expectFailure(result, 'timestamp_too_old');
    expect(!result.ok && result.message).toMatch(/signature is valid.*301 s in the past/);
  });

  it('timestamp_in_future: one second past the default 300 s tolerance', async () => {
    const request = signedRequest({ timestamp: String(NOW_SECONDS + 301) });
    const result = await verify(request);
    expectFailure(result, 'timestamp_in_future');
    expect(!result.ok && result.message).toMatch(/301 s in the future/);
  });

  it('tolerance boundary: exactly ±300 s is accepted', async () => {
    expect((await verify(signedRequest({ timestamp: String(NOW_SECONDS - 300) }))).ok).toBe(true);
    expect((await verify(signedRequest({ timestamp: String(NOW_SECONDS + 300) }))).ok).toBe(true);
  });

  it('tolerance boundary: a fraction of a second into the next second does not count', async () => {
    const request = signedRequest({ timestamp: String(NOW_SECONDS - 300) });
    expect((await verify({ ...request, now: () => NOW_MS + 999 })).ok).toBe(true);
    expectFailure(await verify({ ...request, now: () => NOW_MS + 1_000 }), 'timestamp_too_old');
  });

  it('a custom tolerance applies in both directions', async () => {
    const old = signedRequest({ timestamp: String(NOW_SECONDS - 11) });
    const future = signedRequest({ timestamp: String(NOW_SECONDS + 11) });
    expectFailure(await verify({ ...old, toleranceSeconds: 10 }), 'timestamp_too_old');
    expectFailure(await verify({ ...future, toleranceSeconds: 10 }), 'timestamp_in_future');
    expect((await verify({ ...old, toleranceSeconds: 11 })).ok).toBe(true);
  });

  it('toleranceSeconds: 0 accepts only the current second', async () => {
    expect((await verify({ ...signedRequest(), toleranceSeconds: 0 })).ok).toBe(true);
    const late = signedRequest({ timestamp: String(NOW_SECONDS - 1) });
    expectFailure(await verify({ ...late, toleranceSeconds: 0 }), 'timestamp_too_old');
  });

  it('toleranceSeconds: Infinity disables the replay check', async () => {
    const ancient = signedRequest({ timestamp: '1' });
    expect((await verify({ ...ancient, toleranceSeconds: Number.POSITIVE_INFINITY })).ok).toBe(
      true,
    );
  });

  it('checks the HMAC before the clock: a forged old request is a mismatch, not stale', async () => {
    const request = signedRequest({ timestamp: String(NOW_SECONDS - 3_600), signWith: 'forger' });
    expectFailure(await verify(request), 'signature_mismatch');
  });

  it('signature_mismatch: signed with another secret', async () => {
    const result = await verify(signedRequest({ signWith: 'not-the-secret' }));
    expectFailure(result, 'signature_mismatch');
    expect(!result.ok && result.message).toMatch(/not re-serialized JSON/);
  });

  it('signature_mismatch: altered body', async () => {
    const request = signedRequest();
    const result = await verify({
      ...request,
      body: request.body.replace('ACTIVATE', 'DEACTIVATE'),
    });
    expectFailure(result, 'signature_mismatch');
  });

  it('signature_mismatch: re-serialized JSON body (extra whitespace)', async () => {
    const request = signedRequest();
    const body = JSON.stringify(JSON.parse(request.body), null, 2);
    expectFailure(await verify({ ...request, body }), 'signature_mismatch');
  });

  it('signature_mismatch: altered timestamp', async () => {
    const request = signedRequest();
    const headers = { ...request.headers, 'x-purchasely-timestamp': String(NOW_SECONDS + 1) };
    expectFailure(await verify({ ...request, headers }), 'signature_mismatch');
  });

  it('signature_mismatch: truncated signature', async () => {
    const request = signedRequest();
    const signature = String(request.headers['x-purchasely-request-signature']).slice(0, 63);
    const headers = { ...request.headers, 'x-purchasely-request-signature': signature };
    const result = await verify({ ...request, headers });
    expectFailure(result, 'signature_mismatch');
    expect(!result.ok && result.message).toMatch(/64 hexadecimal characters/);
  });

  it('signature_mismatch: non-hex signature of the right length', async () => {
    const request = signedRequest();
    const headers = { ...request.headers, 'x-purchasely-request-signature': 'z'.repeat(64) };
    expectFailure(await verify({ ...request, headers }), 'signature_mismatch');
  });

  it('signature_mismatch: a prefixed signature (sha256=...) is not stripped', async () => {
    const request = signedRequest();
    const signature = `sha256=${String(request.headers['x-purchasely-request-signature'])}`;
    const headers = { ...request.headers, 'x-purchasely-request-signature': signature };
    expectFailure(await verify({ ...request, headers }), 'signature_mismatch');
  });

  it('signature_mismatch: a duplicated signature header (array) is rejected', async () => {
    const request = signedRequest();
    const signature = String(request.headers['x-purchasely-request-signature']);
    const headers = {
      ...request.headers,
      'x-purchasely-request-signature': [signature, signature],
    };
    const result = await verify({ ...request, headers });
    expectFailure(result, 'signature_mismatch');
    expect(!result.ok && result.message).toMatch(/sent more than once/);
  });

  it('signature_mismatch: the same header under two casings is rejected', async () => {
    const request = signedRequest();
    const signature = String(request.headers['x-purchasely-request-signature']);
    const headers = { ...request.headers, 'X-Purchasely-Request-Signature': signature };
    expectFailure(await verify({ ...request, headers }), 'signature_mismatch');
  });

  it('signature_mismatch: a duplicated Headers entry (fetch joins it) is rejected', async () => {
    const request = signedRequest();
    const headers = new Headers();
    const signature = String(request.headers['x-purchasely-request-signature']);
    headers.append('x-purchasely-request-signature', signature);
    headers.append('x-purchasely-request-signature', signature);
    headers.set('x-purchasely-timestamp', String(NOW_SECONDS));
    expectFailure(await verify({ ...request, headers }), 'signature_mismatch');
  });

  it('signature_mismatch: none of the rotated secrets match', async () => {
    const request = signedRequest({ signWith: 'third' });
    expectFailure(await verify({ ...request, secret: ['first', 'second'] }), 'signature_mismatch');
  });
});

describe('verifyPurchaselySignature: the deprecated header', () => {
  const timestamp = String(NOW_SECONDS);
  const deprecatedRequest = (secret = SECRET) => ({
    body: '{}',
    headers: {
      'x-purchasely-signature': deprecatedSignature(secret, timestamp),
      'x-purchasely-timestamp': timestamp,
    },
    secret: SECRET,
    now: () => NOW_MS,
  });

  it('deprecated_signature_rejected by default, with how to enable it and why it is unsafe', async () => {
    const result = await verify(deprecatedRequest());
    expectFailure(result, 'deprecated_signature_rejected');
    expect(!result.ok && result.message).toMatch(/allowDeprecatedSignature: true/);
    expect(!result.ok && result.message).toMatch(/does not cover the body/);
  });

  it('is accepted when allowed, with a warning in the result and through onWarning', async () => {
    const onWarning = vi.fn();
    const result = await verify({
      ...deprecatedRequest(),
      allowDeprecatedSignature: true,
      onWarning,
    });
    expect(result).toMatchObject({
      ok: true,
      scheme: 'deprecated',
      warnings: [{ code: 'deprecated_signature_scheme' }],
    });
    expect(onWarning).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'deprecated_signature_scheme' }),
    );
  });

  it('still fails with a wrong secret, and warns only on success', async () => {
    const onWarning = vi.fn();
    const result = await verify({
      ...deprecatedRequest('another'),
      allowDeprecatedSignature: true,
      onWarning,
    });
    expectFailure(result, 'signature_mismatch');
    expect(onWarning).not.toHaveBeenCalled();
  });

  it('still enforces the timestamp window', async () => {
    const result = await verify({
      ...deprecatedRequest(),
      now: () => NOW_MS + 301_000,
      allowDeprecatedSignature: true,
    });
    expectFailure(result, 'timestamp_too_old');
  });

  it('still needs the timestamp header', async () => {
    const request = deprecatedRequest();
    const headers = withoutHeader(request.headers, 'x-purchasely-timestamp');
    expectFailure(
      await verify({ ...request, headers, allowDeprecatedSignature: true }),
      'missing_timestamp',
    );
  });
});

describe('verifyPurchaselySignature: body types', () => {
  it.each([
    ['a parsed object', { name: 'ACTIVATE' }, /parsed object/],
    ['an array', [1, 2], /an array/],
    ['null', null, /received null/],
    ['undefined', undefined, /received a value of type undefined/],
    ['a number', 42, /received a value of type number/],
  ])('throws PurchaselyRawBodyError for %s', async (_label, body, received) => {
    const request = signedRequest();
    const error = await verify({ ...request, body: body as unknown as string }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PurchaselyRawBodyError);
    expect(error).toBeInstanceOf(Error);
    const { name, message } = error as PurchaselyRawBodyError;
    expect(name).toBe('PurchaselyRawBodyError');
    expect(message).toMatch(received);
    expect(message).toContain("express.raw({ type: 'application/json' })");
    expect(message).toContain('c.req.arrayBuffer()');
    expect(message).toContain('request.arrayBuffer()');
    expect(message).toMatch(/Never re-serialize/);
  });

  it('throws for a parsed object even when the headers are missing', async () => {
    await expect(
      verify({ body: {} as unknown as string, headers: {}, secret: SECRET }),
    ).rejects.toThrow(PurchaselyRawBodyError);
  });

  it('accepts a Node Buffer and a DataView over the raw bytes', async () => {
    const request = signedRequest();
    expect((await verify({ ...request, body: Buffer.from(request.body) })).ok).toBe(true);
    const bytes = new TextEncoder().encode(`xx${request.body}yy`);
    const view = new DataView(bytes.buffer, 2, bytes.byteLength - 4);
    expect((await verify({ ...request, body: view as unknown as Uint8Array })).ok).toBe(true);
  });

  it('accepts a subarray without reading outside its window', async () => {
    const request = signedRequest();
    const bytes = new TextEncoder().encode(`prefix${request.body}suffix`);
    const body = bytes.subarray(6, bytes.byteLength - 6);
    expect((await verify({ ...request, body })).ok).toBe(true);
  });

  it('verifies an empty body', async () => {
    expect((await verify(signedRequest({ body: '' }))).ok).toBe(true);
  });

  it('the raw body error accepts a cause', () => {
    const cause = new Error('root');
    const error = new PurchaselyRawBodyError('explained', { cause });
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('PurchaselyRawBodyError');
  });
});

describe('verifyPurchaselySignature: configuration errors', () => {
  const request = signedRequest();

  it.each([
    ['an empty string', ''],
    ['an empty list', []],
    ['a list with an empty entry', [SECRET, '']],
    ['undefined (unset environment variable)', undefined],
    ['a number', 123],
    ['a list with a non-string', [SECRET, null]],
  ])('throws PurchaselySignatureConfigError for a secret that is %s', async (_label, secret) => {
    const error = await verify({ ...request, secret: secret as unknown as string }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PurchaselySignatureConfigError);
    expect((error as Error).name).toBe('PurchaselySignatureConfigError');
    expect((error as Error).message).not.toContain(SECRET);
  });

  it.each([
    ['negative', -1],
    ['NaN', Number.NaN],
    ['a string', '300'],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('throws for toleranceSeconds %s', async (_label, toleranceSeconds) => {
    await expect(
      verify({ ...request, toleranceSeconds: toleranceSeconds as unknown as number }),
    ).rejects.toThrow(PurchaselySignatureConfigError);
  });

  it('throws for a clock that does not return finite milliseconds', async () => {
    await expect(verify({ ...request, now: () => Number.NaN })).rejects.toThrow(
      /now\(\) must return epoch milliseconds/,
    );
  });

  it('throws for a non-function now or onWarning', async () => {
    await expect(verify({ ...request, now: 5 as unknown as () => number })).rejects.toThrow(
      PurchaselySignatureConfigError,
    );
    await expect(verify({ ...request, onWarning: 'log' as unknown as () => void })).rejects.toThrow(
      PurchaselySignatureConfigError,
    );
  });

  it('throws for missing headers or options', async () => {
    await expect(verify({ ...request, headers: undefined as unknown as Headers })).rejects.toThrow(
      PurchaselySignatureConfigError,
    );
    await expect(
      verifyPurchaselySignature(undefined as unknown as VerifyPurchaselySignatureOptions),
    ).rejects.toThrow(PurchaselySignatureConfigError);
  });

  it('checks configuration before the request, so a bad setup fails on every request', async () => {
    await expect(verify({ body: '', headers: {}, secret: '' })).rejects.toThrow(
      PurchaselySignatureConfigError,
    );
  });
});
