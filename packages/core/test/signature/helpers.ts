import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { HeaderRecord } from '../../src/signature/index.js';

/** A clock reading of 2023-10-26T12:07:02Z, shared by every test that needs "now". */
export const NOW_SECONDS = 1_698_322_022;
export const NOW_MS = NOW_SECONDS * 1000;
export const now = (): number => NOW_MS;

export const SECRET = 'whsec_test_s3cr3t_value_4f9a1c';

interface SignatureVectors {
  current: { secret: string; timestamp: string; body: string; signature: string };
  deprecated: { secret: string; timestamp: string; signature: string };
}

export const vectors: SignatureVectors = JSON.parse(
  readFileSync(new URL('../fixtures/purchasely/signature-vectors.json', import.meta.url), 'utf8'),
);

/** Independent oracle (node:crypto), so the tests never check the signer against itself. */
export function hmacHex(secret: string, message: string | Uint8Array): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}

export function currentSignature(secret: string, timestamp: string, body: string | Uint8Array) {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return hmacHex(secret, Buffer.concat([Buffer.from(timestamp, 'utf8'), bytes]));
}

export function deprecatedSignature(secret: string, timestamp: string): string {
  return hmacHex(secret, secret + timestamp);
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string | string[] | undefined>;
  secret: string;
  now: () => number;
}

/**
 * A valid, freshly signed request (standard-webhooks style): each test breaks exactly one thing.
 * `secret` is what the verifier is configured with; `signWith` forges a signature with another.
 */
export function signedRequest(
  overrides: { body?: string; timestamp?: string; signWith?: string } = {},
): SignedRequest {
  const body = overrides.body ?? '{"name":"ACTIVATE","event_id":"evt_1"}';
  const timestamp = overrides.timestamp ?? String(NOW_SECONDS);
  const signWith = overrides.signWith ?? SECRET;
  return {
    body,
    headers: {
      'x-purchasely-request-signature': currentSignature(signWith, timestamp, body),
      'x-purchasely-timestamp': timestamp,
    },
    secret: SECRET,
    now,
  };
}

export function withoutHeader(headers: HeaderRecord, name: string): HeaderRecord {
  const { [name]: _removed, ...rest } = headers;
  return rest;
}
