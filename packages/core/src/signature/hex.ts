const SIGNATURE_HEX = /^[0-9a-f]{64}$/i;

/**
 * Decodes a 64-character hex SHA-256 MAC, in either case, to its 32 bytes.
 *
 * @returns `undefined` when the value is not exactly 64 hex characters.
 */
export function decodeSignatureHex(value: string): Uint8Array<ArrayBuffer> | undefined {
  if (!SIGNATURE_HEX.test(value)) return undefined;
  const bytes = new Uint8Array(value.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number.parseInt(value.slice(i * 2, i * 2 + 2), 16);
  }
  return bytes;
}

/** Lowercase hex, the form Purchasely sends. */
export function encodeHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
