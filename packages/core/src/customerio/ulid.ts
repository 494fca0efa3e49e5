/**
 * ULIDs for Customer.io event deduplication.
 *
 * Customer.io ignores an event whose top-level `id` (a ULID) it has already seen, which is the
 * only idempotency the Track API offers. Every event this client sends carries one, so a retried
 * request never records an event twice. `eventIdFor()` goes further: the same source key always
 * gives the same id, so a webhook delivered twice (or a process restarted mid-backfill) also maps
 * onto one Customer.io event.
 *
 * Format: 26 Crockford base32 characters; 48 bits of milliseconds, then 80 random bits.
 *
 * @module
 */
import { sha256 } from './hash.js';
import { utf8Encode } from './limits.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_TIME = 2 ** 48 - 1;
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

function encodeTime(timeMs: number): string {
  if (!Number.isInteger(timeMs) || timeMs < 0 || timeMs > MAX_TIME) {
    throw new RangeError(`ULID time must be an integer between 0 and 2^48-1 ms, got ${timeMs}`);
  }
  let out = '';
  let rest = timeMs;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** Encodes the first 80 bits of `bytes` (10 bytes) as 16 base32 characters. */
/** Random bytes drawn from one pool: a `getRandomValues` call per ULID costs more than the ULID. */
const pool = new Uint8Array(1000);
let poolOffset = pool.length;

function randomBytes10(): Uint8Array {
  if (poolOffset === pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  poolOffset += 10;
  return pool.subarray(poolOffset - 10, poolOffset);
}

function encodeRandom(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < 10; i++) {
    buffer = (buffer << 8) | bytes[i]!;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1; // keep only the unread bits so the buffer never overflows
  }
  return out;
}

/**
 * A new ULID with 80 bits from `crypto.getRandomValues` (Web Crypto, on every runtime).
 *
 * @param timeMs - milliseconds since the epoch for the time part; defaults to now.
 * @example
 * ```ts
 * await client.track('user-1', { name: 'purchase', id: ulid() });
 * ```
 */
export function ulid(timeMs: number = Date.now()): string {
  return encodeTime(timeMs) + encodeRandom(randomBytes10());
}

/**
 * A deterministic ULID for an event: the same `key` and `timeMs` always give the same id, and
 * different keys give different ids (the 80 random bits are the first 80 bits of SHA-256(key), so
 * a collision needs about 2^40 keys even by the birthday bound).
 *
 * The random part depends on the key alone: the id keeps identifying the event even for a system
 * that compares only that part (a Customer.io staff answer says the time part is not used).
 * Synchronous on purpose, so payload builders can call it.
 *
 * @param key - a stable identity of the source event, e.g. `purchasely:${event.id}`.
 * @param timeMs - the event time in milliseconds (for the sortable time part).
 * @example
 * ```ts
 * const id = eventIdFor(`purchasely:${webhook.event_id}`, webhook.event_created_at_ms);
 * await client.track(userId, { name: 'subscription_renewed', id });
 * ```
 */
export function eventIdFor(key: string, timeMs: number): string {
  return encodeTime(timeMs) + encodeRandom(sha256(utf8Encode(key)));
}

/**
 * Whether `value` is a well-formed ULID (26 upper-case Crockford base32 characters whose first
 * character keeps the time within 48 bits).
 *
 * @example
 * ```ts
 * isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAV'); // true
 * ```
 */
export function isUlid(value: unknown): value is string {
  return typeof value === 'string' && ULID_PATTERN.test(value);
}

/** The time part of a ULID, in milliseconds since the epoch. */
export function ulidTime(value: string): number {
  if (!isUlid(value)) throw new TypeError('not a ULID');
  let time = 0;
  for (let i = 0; i < 10; i++) time = time * 32 + ALPHABET.indexOf(value[i]!);
  return time;
}
