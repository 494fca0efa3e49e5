import { PurchaselySignatureConfigError } from './errors.js';

const encoder = new TextEncoder();

/**
 * Importing the key is the expensive part of an HMAC on the hot path, so keys are cached per secret.
 * A handful covers rotation; the bound keeps a caller that passes ever-new secrets from growing the
 * map. Promises are cached so concurrent first requests share one import.
 */
const MAX_CACHED_KEYS = 16;
const keyCache = new Map<string, Promise<CryptoKey>>();

function subtleCrypto(): SubtleCrypto {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) {
    throw new PurchaselySignatureConfigError(
      'Web Crypto (globalThis.crypto.subtle) is not available in this runtime. Node 20+, Bun, Deno ' +
        'and Cloudflare Workers provide it; in a browser it requires a secure context (HTTPS).',
    );
  }
  return subtle;
}

/** Imports (or reuses) a non-extractable HMAC-SHA256 key for `secret`. */
export function hmacKey(secret: string): Promise<CryptoKey> {
  const cached = keyCache.get(secret);
  if (cached) {
    // Re-insert so the Map's insertion order doubles as least-recently-used order.
    keyCache.delete(secret);
    keyCache.set(secret, cached);
    return cached;
  }
  const pending = subtleCrypto().importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  keyCache.set(secret, pending);
  pending.catch(() => {
    if (keyCache.get(secret) === pending) keyCache.delete(secret);
  });
  if (keyCache.size > MAX_CACHED_KEYS) {
    const oldest = keyCache.keys().next();
    if (!oldest.done) keyCache.delete(oldest.value);
  }
  return pending;
}

/** HMAC-SHA256 of `data` under `secret`. */
export async function hmacSign(secret: string, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const key = await hmacKey(secret);
  return new Uint8Array(await subtleCrypto().sign('HMAC', key, data));
}

/**
 * Checks `signature` against the HMAC of `dataFor(index)` under every key and returns the index of
 * the first match, or -1. Web Crypto's `verify` compares in constant time, and every key is tried
 * even after a match so the time taken does not reveal which one matched.
 */
export async function findMatchingKey(
  keys: readonly CryptoKey[],
  signature: Uint8Array<ArrayBuffer>,
  dataFor: (index: number) => Uint8Array<ArrayBuffer>,
): Promise<number> {
  const subtle = subtleCrypto();
  const matches = await Promise.all(
    keys.map((key, index) => subtle.verify('HMAC', key, signature, dataFor(index))),
  );
  return matches.indexOf(true);
}

/** Concatenates byte arrays into a fresh ArrayBuffer-backed array, which Web Crypto requires. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** UTF-8 bytes of a string, ArrayBuffer-backed. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}
