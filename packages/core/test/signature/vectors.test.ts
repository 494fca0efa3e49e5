import { describe, expect, it, vi } from 'vitest';
import { signPurchaselyWebhook, verifyPurchaselySignature } from '../../src/index.js';
import { hmacHex, vectors } from './helpers.js';

describe('Purchasely signature vectors', () => {
  const { current, deprecated } = vectors;

  it('the fixtures agree with an independent HMAC implementation', () => {
    expect(hmacHex(current.secret, current.timestamp + current.body)).toBe(current.signature);
    expect(hmacHex(deprecated.secret, deprecated.secret + deprecated.timestamp)).toBe(
      deprecated.signature,
    );
  });

  it('verifies the current-scheme vector', async () => {
    const result = await verifyPurchaselySignature({
      body: current.body,
      headers: {
        'X-PURCHASELY-REQUEST-SIGNATURE': current.signature,
        'X-PURCHASELY-TIMESTAMP': current.timestamp,
      },
      secret: current.secret,
      now: () => Number(current.timestamp) * 1000 + 12_000,
    });
    expect(result).toEqual({
      ok: true,
      scheme: 'request-signature',
      timestamp: Number(current.timestamp),
      secretIndex: 0,
      warnings: [],
    });
  });

  it('reports the current vector as authentic but too old against the real clock', async () => {
    const result = await verifyPurchaselySignature({
      body: current.body,
      headers: {
        'x-purchasely-request-signature': current.signature,
        'x-purchasely-timestamp': current.timestamp,
      },
      secret: current.secret,
    });
    expect(result).toMatchObject({ ok: false, reason: 'timestamp_too_old' });
  });

  it('signs the current vector byte for byte', async () => {
    await expect(
      signPurchaselyWebhook({
        secret: current.secret,
        body: current.body,
        timestamp: current.timestamp,
      }),
    ).resolves.toEqual({
      'x-purchasely-request-signature': current.signature,
      'x-purchasely-timestamp': current.timestamp,
    });
  });

  it('verifies the deprecated vector only when allowed, and warns', async () => {
    const headers = {
      'X-Purchasely-Signature': deprecated.signature,
      'X-Purchasely-Timestamp': deprecated.timestamp,
    };
    const now = () => Number(deprecated.timestamp) * 1000;
    const onWarning = vi.fn();

    const rejected = await verifyPurchaselySignature({
      body: '{}',
      headers,
      secret: deprecated.secret,
      now,
    });
    expect(rejected).toMatchObject({ ok: false, reason: 'deprecated_signature_rejected' });

    const accepted = await verifyPurchaselySignature({
      body: '{"any":"body, since the scheme does not cover it"}',
      headers,
      secret: deprecated.secret,
      now,
      allowDeprecatedSignature: true,
      onWarning,
    });
    expect(accepted).toMatchObject({
      ok: true,
      scheme: 'deprecated',
      timestamp: Number(deprecated.timestamp),
      secretIndex: 0,
    });
    expect(onWarning).toHaveBeenCalledTimes(1);
    const warning = onWarning.mock.calls[0]?.[0];
    expect(warning).toMatchObject({ code: 'deprecated_signature_scheme' });
    expect(warning.message).toMatch(/does not cover the body/);
    expect(accepted.ok && accepted.warnings).toEqual([warning]);
  });
});
