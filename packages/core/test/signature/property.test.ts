import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type HeaderRecord,
  signPurchaselyWebhook,
  verifyPurchaselySignature,
} from '../../src/index.js';
import { NOW_MS, NOW_SECONDS, now } from './helpers.js';

/**
 * Realistic secrets. Arbitrary strings would break "another secret never verifies" for reasons
 * that are properties of HMAC and UTF-8, not bugs: a key and the same key with trailing NUL bytes
 * are equivalent (HMAC zero-pads short keys), and lone surrogates all encode to U+FFFD.
 */
const secretArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

const bodyArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
);

const timestampArb = fc.integer({ min: NOW_SECONDS - 300, max: NOW_SECONDS + 300 });

const toBytes = (body: string | Uint8Array): Uint8Array =>
  typeof body === 'string' ? new TextEncoder().encode(body) : body;

/** A single-byte change, an insertion or a truncation; always a different byte sequence. */
const mutationArb = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

type MutationValue = typeof mutationArb extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Uint8Array, mutation: MutationValue): Uint8Array {
  switch (mutation.kind) {
    case 'flip': {
      if (bytes.length === 0) return Uint8Array.of(1 << mutation.bit);
      const out = bytes.slice();
      const index = mutation.at % out.length;
      out[index] = (out[index] ?? 0) ^ (1 << mutation.bit);
      return out;
    }
    case 'insert': {
      const index = mutation.at % (bytes.length + 1);
      const out = new Uint8Array(bytes.length + 1);
      out.set(bytes.subarray(0, index), 0);
      out[index] = mutation.byte;
      out.set(bytes.subarray(index), index + 1);
      return out;
    }
    case 'truncate': {
      if (bytes.length === 0) return Uint8Array.of(0);
      return bytes.slice(0, mutation.at % bytes.length);
    }
  }
}

describe('signature properties', () => {
  it('sign → verify is always ok', async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, bodyArb, timestampArb, async (secret, body, timestamp) => {
        const headers = await signPurchaselyWebhook({ secret, body, timestamp });
        const result = await verifyPurchaselySignature({ body, headers, secret, now });
        expect(result).toMatchObject({ ok: true, timestamp, secretIndex: 0 });
      }),
      { numRuns: 500 },
    );
  });

  it('a signature made with another secret never verifies', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        secretArb,
        bodyArb,
        timestampArb,
        async (secret, other, body, timestamp) => {
          fc.pre(secret !== other);
          const headers = await signPurchaselyWebhook({ secret: other, body, timestamp });
          const result = await verifyPurchaselySignature({ body, headers, secret, now });
          expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a mutated body never verifies', async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, bodyArb, mutationArb, async (secret, body, mutation) => {
        const headers = await signPurchaselyWebhook({ secret, body, timestamp: NOW_SECONDS });
        const mutated = mutate(toBytes(body), mutation);
        const result = await verifyPurchaselySignature({ body: mutated, headers, secret, now });
        expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
      }),
      { numRuns: 500 },
    );
  });

  it('a signature with one hex digit changed never verifies; a case change always does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 100 }),
        fc.nat({ max: 63 }),
        fc.integer({ min: 1, max: 15 }),
        async (body, index, delta) => {
          const secret = 'prop-secret';
          const headers = await signPurchaselyWebhook({ secret, body, timestamp: NOW_SECONDS });
          const signature = headers['x-purchasely-request-signature'];
          const digit = (Number.parseInt(signature[index] ?? '0', 16) + delta) % 16;
          const changed = `${signature.slice(0, index)}${digit.toString(16)}${signature.slice(index + 1)}`;
          const bad = await verifyPurchaselySignature({
            body,
            headers: { ...headers, 'x-purchasely-request-signature': changed },
            secret,
            now,
          });
          expect(bad).toMatchObject({ ok: false, reason: 'signature_mismatch' });
          const upper = await verifyPurchaselySignature({
            body,
            headers: { ...headers, 'x-purchasely-request-signature': signature.toUpperCase() },
            secret,
            now,
          });
          expect(upper.ok).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a changed timestamp never verifies, whatever the tolerance', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 100 }),
        fc.nat({ max: 2 ** 40 }),
        async (body, timestamp) => {
          fc.pre(timestamp !== NOW_SECONDS);
          const secret = 'prop-secret';
          const headers = await signPurchaselyWebhook({ secret, body, timestamp: NOW_SECONDS });
          const result = await verifyPurchaselySignature({
            body,
            headers: { ...headers, 'x-purchasely-timestamp': String(timestamp) },
            secret,
            now,
            toleranceSeconds: Number.POSITIVE_INFINITY,
          });
          expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random requests never throw and never verify', async () => {
    const headerValue = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.stringMatching(/^[0-9a-fA-F]{64}$/),
      fc.stringMatching(/^\s*[0-9]{1,20}\s*$/),
      fc.array(fc.string({ maxLength: 70 }), { maxLength: 3 }),
      fc.constant(undefined),
    );
    const headerName = fc.oneof(
      fc.constantFrom(
        'x-purchasely-request-signature',
        'X-PURCHASELY-REQUEST-SIGNATURE',
        'x-purchasely-timestamp',
        'X-Purchasely-Timestamp',
        'x-purchasely-signature',
        '__proto__',
        'constructor',
        'get',
      ),
      fc.string({ maxLength: 30 }),
    );
    const headersArb = fc.dictionary(headerName, headerValue, { maxKeys: 6 });
    await fc.assert(
      fc.asyncProperty(
        headersArb,
        bodyArb,
        fc.boolean(),
        fc.integer({ min: -1e15, max: 1e15 }),
        async (headers, body, allowDeprecatedSignature, clockOffset) => {
          const result = await verifyPurchaselySignature({
            body,
            headers: headers as HeaderRecord,
            secret: ['first-secret', 'second-secret'],
            now: () => NOW_MS + clockOffset,
            allowDeprecatedSignature,
          });
          expect(result.ok).toBe(false);
          if (!result.ok) expect(typeof result.message).toBe('string');
        },
      ),
      { numRuns: 1000 },
    );
  });
});
