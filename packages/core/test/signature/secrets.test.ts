import { describe, expect, it } from 'vitest';
import {
  PurchaselySignatureConfigError,
  type SignatureVerificationResult,
  signPurchaselyWebhook,
  type VerifyPurchaselySignatureOptions,
  verifyPurchaselySignature,
} from '../../src/index.js';
import { deprecatedSignature, NOW_MS, NOW_SECONDS, signedRequest } from './helpers.js';

/** Distinctive enough that it cannot appear in a message by coincidence. */
const SECRET = 'sk_live_DO_NOT_LEAK_7c1e9b3f';
const PREVIOUS = 'sk_live_PREVIOUS_DO_NOT_LEAK_02aa';

function assertNoSecret(value: unknown): void {
  const text =
    value instanceof Error
      ? `${value.name} ${value.message} ${value.stack}`
      : JSON.stringify(value);
  for (const secret of [SECRET, PREVIOUS]) expect(text).not.toContain(secret);
}

describe('secrets never leak', () => {
  const base = () => {
    const request = signedRequest({ signWith: SECRET });
    return { ...request, secret: [PREVIOUS, SECRET] as const };
  };
  const signature = () => String(base().headers['x-purchasely-request-signature']);
  const timestamp = String(NOW_SECONDS);

  const cases: [string, () => VerifyPurchaselySignatureOptions][] = [
    ['ok', base],
    ['missing_signature', () => ({ ...base(), headers: { 'x-purchasely-timestamp': timestamp } })],
    [
      'missing_timestamp',
      () => ({ ...base(), headers: { 'x-purchasely-request-signature': signature() } }),
    ],
    [
      'invalid_timestamp',
      () => ({ ...base(), headers: { ...base().headers, 'x-purchasely-timestamp': SECRET } }),
    ],
    ['timestamp_too_old', () => ({ ...base(), now: () => NOW_MS + 10_000_000 })],
    ['timestamp_in_future', () => ({ ...base(), now: () => NOW_MS - 10_000_000 })],
    ['signature_mismatch', () => ({ ...base(), body: 'tampered' })],
    [
      'malformed signature equal to the secret',
      () => ({
        ...base(),
        headers: { ...base().headers, 'x-purchasely-request-signature': SECRET },
      }),
    ],
    [
      'deprecated_signature_rejected',
      () => ({
        ...base(),
        headers: {
          'x-purchasely-signature': deprecatedSignature(SECRET, timestamp),
          'x-purchasely-timestamp': timestamp,
        },
      }),
    ],
    [
      'deprecated accepted',
      () => ({
        ...base(),
        allowDeprecatedSignature: true,
        headers: {
          'x-purchasely-signature': deprecatedSignature(SECRET, timestamp),
          'x-purchasely-timestamp': timestamp,
        },
      }),
    ],
    [
      'deprecated mismatch',
      () => ({
        ...base(),
        allowDeprecatedSignature: true,
        headers: { 'x-purchasely-signature': '0'.repeat(64), 'x-purchasely-timestamp': timestamp },
      }),
    ],
  ];

  it.each(cases)(
    '%s: neither the message nor JSON.stringify(result) contains a secret',
    async (_label, make) => {
      const warnings: unknown[] = [];
      const result: SignatureVerificationResult = await verifyPurchaselySignature({
        ...make(),
        onWarning: (warning) => warnings.push(warning),
      });
      if (!result.ok) assertNoSecret(result.message);
      assertNoSecret(result);
      assertNoSecret(warnings);
    },
  );

  it('covers every failure reason', async () => {
    const reasons = new Set<string>();
    for (const [, make] of cases) {
      const result = await verifyPurchaselySignature(make());
      if (!result.ok) reasons.add(result.reason);
    }
    expect([...reasons].sort()).toEqual(
      [
        'deprecated_signature_rejected',
        'invalid_timestamp',
        'missing_signature',
        'missing_timestamp',
        'signature_mismatch',
        'timestamp_in_future',
        'timestamp_too_old',
      ].sort(),
    );
  });

  it('configuration errors name a position, never a value', async () => {
    const errors = await Promise.all([
      verifyPurchaselySignature({ ...base(), secret: [SECRET, ''] }).catch((e: unknown) => e),
      verifyPurchaselySignature({
        ...base(),
        secret: [PREVIOUS, SECRET, 7 as unknown as string],
      }).catch((e: unknown) => e),
      verifyPurchaselySignature({ ...base(), toleranceSeconds: -1 }).catch((e: unknown) => e),
      signPurchaselyWebhook({ secret: SECRET, body: '', timestamp: -1 }).catch((e: unknown) => e),
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(PurchaselySignatureConfigError);
      assertNoSecret(error);
    }
    expect((errors[0] as Error).message).toContain('secret[1]');
  });

  it('raw-body errors do not contain the secret or the body', async () => {
    const error = await verifyPurchaselySignature({
      ...base(),
      body: { token: 'payload-value-xyz' } as unknown as string,
    }).catch((e: unknown) => e);
    assertNoSecret(error);
    expect((error as Error).message).not.toContain('payload-value-xyz');
  });
});
