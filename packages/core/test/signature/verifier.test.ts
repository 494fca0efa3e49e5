import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createPurchaselyVerifier,
  PurchaselyRawBodyError,
  PurchaselySignatureConfigError,
  type PurchaselyVerifierOptions,
  verifyPurchaselySignature,
} from '../../src/signature/index.js';
import {
  currentSignature,
  deprecatedSignature,
  NOW_MS,
  NOW_SECONDS,
  now,
  SECRET,
  signedRequest,
  vectors,
} from './helpers.js';

/** Secrets no other test uses, so the module's key cache cannot have imported them already. */
const fresh = (label: string) => `${label}-${crypto.randomUUID()}`;

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('createPurchaselyVerifier: keys are imported once', () => {
  it('one importKey per secret, however many requests, concurrent or not', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const secrets = [fresh('current'), fresh('previous')];
    const verifier = createPurchaselyVerifier({ secret: secrets, now });
    expect(importKey).not.toHaveBeenCalled(); // lazily, on the first request

    const requests = Array.from({ length: 40 }, (_, i) =>
      signedRequest({ body: `{"n":${i}}`, signWith: secrets[i % 2] }),
    );
    const concurrent = await Promise.all(requests.map((r) => verifier.verify(r)));
    for (const [i, result] of concurrent.entries()) {
      expect(result).toMatchObject({ ok: true, secretIndex: i % 2 });
    }
    for (const request of requests) expect((await verifier.verify(request)).ok).toBe(true);
    expect(importKey).toHaveBeenCalledTimes(2);
  });

  it('a failed import is not cached: the next request imports again', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    importKey.mockRejectedValueOnce(new Error('transient'));
    const secret = fresh('retry');
    const verifier = createPurchaselyVerifier({ secret, now });
    const request = signedRequest({ signWith: secret });
    await expect(verifier.verify(request)).rejects.toThrow('transient');
    expect(await verifier.verify(request)).toMatchObject({ ok: true });
    expect(await verifier.verify(request)).toMatchObject({ ok: true });
    expect(importKey).toHaveBeenCalledTimes(2);
  });
});

describe('createPurchaselyVerifier: options are checked at creation', () => {
  it.each<[string, Partial<PurchaselyVerifierOptions> | undefined, RegExp]>([
    ['no options', undefined, /createPurchaselyVerifier expects an options object/],
    ['an empty secret', { secret: '' }, /secret is an empty string/],
    ['an unset secret', { secret: undefined as unknown as string }, /secret must be a string/],
    ['an empty list', { secret: [] }, /secret is an empty list/],
    ['an empty entry', { secret: [SECRET, ''] }, /secret\[1\] is an empty string/],
    ['a negative tolerance', { secret: SECRET, toleranceSeconds: -1 }, /toleranceSeconds/],
    ['a NaN tolerance', { secret: SECRET, toleranceSeconds: Number.NaN }, /toleranceSeconds/],
    ['a non-function clock', { secret: SECRET, now: 5 as unknown as () => number }, /now must/],
    ['a non-function onWarning', { secret: SECRET, onWarning: 'log' as never }, /onWarning must/],
    [
      'a string opt-in',
      { secret: SECRET, allowDeprecatedSignature: 'true' as unknown as boolean },
      /allowDeprecatedSignature must be a boolean/,
    ],
  ])('throws synchronously for %s, naming the option but no secret', (_label, options, message) => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    let caught: unknown;
    try {
      createPurchaselyVerifier(options as PurchaselyVerifierOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PurchaselySignatureConfigError);
    expect((caught as PurchaselySignatureConfigError).code).toBe('signature_config');
    expect((caught as Error).message).toMatch(message);
    expect(JSON.stringify(caught) + String(caught)).not.toContain(SECRET);
    expect(importKey).not.toHaveBeenCalled();
  });

  it('request mistakes still reject per request: a parsed body, missing headers', async () => {
    const verifier = createPurchaselyVerifier({ secret: SECRET, now });
    const request = signedRequest();
    await expect(verifier.verify({ ...request, body: {} as unknown as string })).rejects.toThrow(
      PurchaselyRawBodyError,
    );
    await expect(verifier.verify({ ...request, body: [] as never })).rejects.toThrow(
      /verifier\.verify needs the raw request body/,
    );
    await expect(verifier.verify({ ...request, headers: undefined as never })).rejects.toThrow(
      PurchaselySignatureConfigError,
    );
    expect((await verifier.verify(request)).ok).toBe(true);
  });

  it('reads the default clock on every request, not once at creation', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW_MS);
    const verifier = createPurchaselyVerifier({ secret: SECRET });
    const request = signedRequest();
    expect((await verifier.verify(request)).ok).toBe(true);
    vi.setSystemTime(NOW_MS + 301_000);
    expect(await verifier.verify(request)).toMatchObject({
      ok: false,
      reason: 'timestamp_too_old',
    });
  });
});

describe('createPurchaselyVerifier gives the function form’s results', () => {
  it('on the published vectors, both schemes, warnings included', async () => {
    const { current, deprecated } = vectors;
    const cases: Parameters<typeof verifyPurchaselySignature>[0][] = [
      {
        body: current.body,
        headers: {
          'X-PURCHASELY-REQUEST-SIGNATURE': current.signature,
          'X-PURCHASELY-TIMESTAMP': current.timestamp,
        },
        secret: current.secret,
        now: () => Number(current.timestamp) * 1000 + 12_000,
      },
      {
        body: current.body,
        headers: {
          'x-purchasely-request-signature': current.signature,
          'x-purchasely-timestamp': current.timestamp,
        },
        secret: ['another-secret', current.secret],
      },
      ...[false, true].map((allowDeprecatedSignature) => ({
        body: '{}',
        headers: {
          'X-Purchasely-Signature': deprecated.signature,
          'X-Purchasely-Timestamp': deprecated.timestamp,
        },
        secret: deprecated.secret,
        now: () => Number(deprecated.timestamp) * 1000,
        allowDeprecatedSignature,
      })),
    ];
    for (const options of cases) {
      const fromFunction = vi.fn();
      const fromVerifier = vi.fn();
      const expected = await verifyPurchaselySignature({ ...options, onWarning: fromFunction });
      const verifier = createPurchaselyVerifier({ ...options, onWarning: fromVerifier });
      expect(await verifier.verify(options)).toEqual(expected);
      expect(fromVerifier.mock.calls).toEqual(fromFunction.mock.calls);
    }
  });

  it('on any body, timestamp, secrets and signer (property)', async () => {
    const secretArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), fc.uint8Array({ maxLength: 120 })),
        fc.integer({ min: NOW_SECONDS - 400, max: NOW_SECONDS + 400 }),
        fc.array(secretArb, { minLength: 1, maxLength: 3 }),
        fc.option(secretArb, { nil: undefined }),
        fc.constantFrom('current', 'deprecated', 'both', 'none'),
        fc.boolean(),
        async (body, timestamp, secrets, stranger, scheme, allowDeprecatedSignature) => {
          const signer = stranger ?? secrets[timestamp % secrets.length] ?? '';
          const ts = String(timestamp);
          const headers: Record<string, string> = { 'x-purchasely-timestamp': ts };
          if (scheme === 'current' || scheme === 'both') {
            headers['x-purchasely-request-signature'] = currentSignature(signer, ts, body);
          }
          if (scheme === 'deprecated' || scheme === 'both') {
            headers['x-purchasely-signature'] = deprecatedSignature(signer, ts);
          }
          const options = { secret: secrets, now, allowDeprecatedSignature };
          const expected = await verifyPurchaselySignature({ ...options, body, headers });
          const actual = await createPurchaselyVerifier(options).verify({ body, headers });
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
});
