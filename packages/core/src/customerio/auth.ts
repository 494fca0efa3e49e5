/**
 * HTTP Basic credentials for the Track API, and a redactor that keeps them out of text.
 *
 * `btoa(siteId + ':' + apiKey)` throws on any character outside Latin-1, and `Buffer` is not
 * available on every runtime; encoding the UTF-8 bytes first and base64-ing them as a binary string
 * works everywhere and matches what servers decode.
 *
 * @module
 */
import { utf8Encode } from './limits.js';

/** Base64 of the UTF-8 bytes of `text` (RFC 4648, with padding). */
export function base64Utf8(text: string): string {
  const bytes = utf8Encode(text);
  let binary = '';
  // Chunks keep `String.fromCharCode.apply` under engines' argument limits for long input.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * The `Authorization` header value for the Track API: `Basic base64(site_id:api_key)`.
 *
 * @example
 * ```ts
 * basicAuthorization('site', 'key'); // 'Basic c2l0ZTprZXk='
 * ```
 */
export function basicAuthorization(siteId: string, apiKey: string): string {
  return `Basic ${base64Utf8(`${siteId}:${apiKey}`)}`;
}

/**
 * Builds a function that replaces every occurrence of the given secrets in a string with
 * `[redacted]`. Used on response text before it lands in an error or a log line: a proxy error
 * page may echo the request, and the key must never be printed.
 */
export function createRedactor(secrets: ReadonlyArray<string>): (text: string) => string {
  // Short values (an empty key, "a") would redact ordinary text without protecting anything.
  const needles = [...new Set(secrets.filter((s) => s.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  return (text: string): string => {
    let out = text;
    for (const needle of needles) out = out.split(needle).join('[redacted]');
    return out;
  };
}
