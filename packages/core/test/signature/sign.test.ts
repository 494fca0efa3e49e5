import { describe, expect, it, vi } from 'vitest';
import {
  PurchaselyRawBodyError,
  PurchaselySignatureConfigError,
  signPurchaselyWebhook,
  verifyPurchaselySignature,
} from '../../src/index.js';
import { currentSignature, NOW_MS, NOW_SECONDS, now, SECRET } from './helpers.js';

const JSON_BODY = '{"name":"SUBSCRIPTION_STARTED","user":{"vendor_id":"usr_é"}}';
const UNICODE_BODY = '{"plan":"Année Premium 🎉","locale":"ja-JP","note":"日本語","rtl":"مرحبا"}';

function toArrayBuffer(text: string): ArrayBuffer {
  const bytes = new TextEncoder().encode(text);
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}

describe('signPurchaselyWebhook → verifyPurchaselySignature round trip', () => {
  it.each([
    ['a string', JSON_BODY],
    ['a non-ASCII UTF-8 string', UNICODE_BODY],
    ['an empty string', ''],
  ])('%s body', async (_label, body) => {
    const headers = await signPurchaselyWebhook({ secret: SECRET, body, timestamp: NOW_SECONDS });
    // The signer agrees with an independent HMAC over the UTF-8 bytes.
    expect(headers['x-purchasely-request-signature']).toBe(
      currentSignature(SECRET, String(NOW_SECONDS), body),
    );
    for (const verified of [body, new TextEncoder().encode(body), toArrayBuffer(body)]) {
      const result = await verifyPurchaselySignature({
        body: verified,
        headers,
        secret: SECRET,
        now,
      });
      expect(result).toMatchObject({ ok: true, timestamp: NOW_SECONDS, secretIndex: 0 });
    }
  });

  it('a Uint8Array body, including non-ASCII bytes', async () => {
    const body = new TextEncoder().encode(UNICODE_BODY);
    const headers = await signPurchaselyWebhook({ secret: SECRET, body, timestamp: NOW_SECONDS });
    for (const verified of [UNICODE_BODY, body, toArrayBuffer(UNICODE_BODY)]) {
      const result = await verifyPurchaselySignature({
        body: verified,
        headers,
        secret: SECRET,
        now,
      });
      expect(result.ok).toBe(true);
    }
  });

  it('an ArrayBuffer body', async () => {
    const body = toArrayBuffer(UNICODE_BODY);
    const headers = await signPurchaselyWebhook({ secret: SECRET, body, timestamp: NOW_SECONDS });
    const result = await verifyPurchaselySignature({ body, headers, secret: SECRET, now });
    expect(result.ok).toBe(true);
  });

  it('the signed headers work as a Headers init for fetch', async () => {
    const signed = await signPurchaselyWebhook({
      secret: SECRET,
      body: JSON_BODY,
      timestamp: NOW_SECONDS,
    });
    const headers = new Headers({ 'content-type': 'application/json', ...signed });
    const result = await verifyPurchaselySignature({
      body: JSON_BODY,
      headers,
      secret: SECRET,
      now,
    });
    expect(result.ok).toBe(true);
  });

  it('produces lowercase hex', async () => {
    const headers = await signPurchaselyWebhook({ secret: SECRET, body: JSON_BODY, timestamp: 1 });
    expect(headers['x-purchasely-request-signature']).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('signPurchaselyWebhook timestamp', () => {
  it('defaults to the current Unix second', async () => {
    vi.useFakeTimers({ now: NOW_MS + 999, toFake: ['Date'] });
    try {
      const headers = await signPurchaselyWebhook({ secret: SECRET, body: JSON_BODY });
      expect(headers['x-purchasely-timestamp']).toBe(String(NOW_SECONDS));
    } finally {
      vi.useRealTimers();
    }
  });

  it('accepts a digit string and keeps it verbatim', async () => {
    const headers = await signPurchaselyWebhook({ secret: SECRET, body: '', timestamp: '0042' });
    expect(headers['x-purchasely-timestamp']).toBe('0042');
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', Number.NaN],
    ['a non-digit string', '12a'],
    ['an empty string', ''],
  ])('rejects a %s timestamp', async (_label, timestamp) => {
    await expect(signPurchaselyWebhook({ secret: SECRET, body: '', timestamp })).rejects.toThrow(
      PurchaselySignatureConfigError,
    );
  });
});

describe('signPurchaselyWebhook configuration', () => {
  it('rejects an empty or missing secret without echoing anything', async () => {
    await expect(signPurchaselyWebhook({ secret: '', body: '' })).rejects.toThrow(
      PurchaselySignatureConfigError,
    );
    await expect(
      signPurchaselyWebhook({ secret: undefined as unknown as string, body: '' }),
    ).rejects.toThrow(PurchaselySignatureConfigError);
  });

  it('rejects a parsed body', async () => {
    await expect(
      signPurchaselyWebhook({ secret: SECRET, body: { a: 1 } as unknown as string }),
    ).rejects.toThrow(PurchaselyRawBodyError);
  });
});
