/** Header carrying the current signature: lowercase hex HMAC-SHA256 of the timestamp followed by the raw body. */
export const PURCHASELY_SIGNATURE_HEADER = 'x-purchasely-request-signature';

/** Header carrying the timestamp that the signature covers (Unix seconds, as far as is known). */
export const PURCHASELY_TIMESTAMP_HEADER = 'x-purchasely-timestamp';

/**
 * Deprecated signature header: HMAC-SHA256 of the secret followed by the timestamp. It does not cover
 * the body, so it is only accepted when explicitly allowed.
 */
export const PURCHASELY_DEPRECATED_SIGNATURE_HEADER = 'x-purchasely-signature';

/** Anything with a case-insensitive `get`, such as the Fetch API `Headers`. */
export interface HeadersGetter {
  get(name: string): string | null;
}

/**
 * A plain header object: Node's `IncomingHttpHeaders` (lower-case keys, `string[]` for repeated
 * headers) or any hand-written record, whatever the key casing.
 */
export type HeaderRecord = { readonly [name: string]: string | readonly string[] | undefined };

/** Every header shape the verifier accepts. */
export type HeadersLike = HeadersGetter | HeaderRecord;

function isHeadersGetter(headers: HeadersLike): headers is HeadersGetter {
  return typeof (headers as Partial<HeadersGetter>).get === 'function';
}

/**
 * Reads one header, ignoring the casing of its name.
 *
 * Repeated values (a `string[]`, or several keys differing only in casing) are joined with `", "`,
 * exactly as Node and the Fetch API join duplicate headers. A duplicated signature or timestamp
 * therefore never verifies, instead of silently picking one of the copies.
 *
 * @param headers - A `Headers` instance, Node's `IncomingHttpHeaders`, or a plain object.
 * @param name - The header name, in any casing.
 * @returns The value, or `undefined` when the header is absent.
 *
 * @example
 * ```ts
 * readHeader({ 'X-Purchasely-Timestamp': '1698322022' }, PURCHASELY_TIMESTAMP_HEADER); // '1698322022'
 * readHeader(new Headers({ 'x-purchasely-timestamp': '1698322022' }), 'X-PURCHASELY-TIMESTAMP');
 * ```
 */
export function readHeader(headers: HeadersLike, name: string): string | undefined {
  if (isHeadersGetter(headers)) {
    const value = headers.get(name);
    return typeof value === 'string' ? value : undefined;
  }
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value: unknown = headers[key];
    if (typeof value === 'string') {
      values.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'string') values.push(item);
    }
  }
  return values.length === 0 ? undefined : values.join(', ');
}
