/**
 * Crockford base32, 26 characters. The first character carries only 3 bits of the 48-bit
 * timestamp, so it can't exceed 7. ULIDs are case-insensitive by spec.
 */
const ulidPattern = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;

export function isUlid(value: string): boolean {
  return ulidPattern.test(value);
}

/** The form two spellings of one ULID share, for deduplication. */
export function canonicalUlid(value: string): string {
  return value.toUpperCase();
}
