/**
 * Customer.io Track API limits, checked before a request leaves so that a bad value fails fast
 * with the field named, instead of a 400 (and an automated email to the account) later.
 *
 * Sizes are measured the way Customer.io measures them: UTF-8 bytes for strings, JSON bytes for
 * everything else. "KB" is read as 1024 bytes, like Customer.io's own Node batcher
 * (`cdp-analytics-node` divides byte lengths by 1024).
 *
 * @module
 */
import { CustomerIoValidationError } from './errors.js';

/**
 * The documented Track API limits.
 *
 * @example
 * ```ts
 * if (name.length > TRACK_LIMITS.eventNameBytes) shorten(name);
 * ```
 */
export const TRACK_LIMITS = {
  /** Person identifier value (id, email, cio_id) in UTF-8 bytes. */
  identifierBytes: 150,
  /** Attribute name in UTF-8 bytes. */
  attributeNameBytes: 150,
  /** Attribute value: UTF-8 bytes of a string, JSON bytes of anything else. */
  attributeValueBytes: 1000,
  /** Attributes in one identify call. */
  attributesPerCall: 300,
  /** Event name in UTF-8 bytes. */
  eventNameBytes: 100,
  /** Event `data` as JSON bytes. */
  eventDataBytes: 100_000,
  /** `/api/v2/entity` body must be *smaller* than this. */
  entityBodyBytes: 32 * 1024,
  /** `/api/v2/batch` body must be *smaller* than this. */
  batchBodyBytes: 500 * 1024,
  /** Each operation of a `/api/v2/batch` body: at most this. */
  batchOperationBytes: 32 * 1024,
  /**
   * Unix seconds at or beyond this are rejected: 1e10 s is in the year 2286, so such a value is
   * almost surely milliseconds passed by mistake.
   */
  maxTimestampSeconds: 1e10,
} as const;

/**
 * Identify keys that steer the call rather than set an attribute (ordering, update-only,
 * relationships), so they count against neither the 300-attribute nor the 1000-byte value limit.
 */
const CONTROL_KEYS = new Set(['_timestamp', '_update', 'cio_relationships']);

const encoder = new TextEncoder();

/**
 * UTF-8 byte length of a string, without allocating a buffer for ASCII-only strings.
 *
 * @example
 * ```ts
 * utf8ByteLength('é'); // 2
 * ```
 */
export function utf8ByteLength(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // A valid surrogate pair is one 4-byte code point.
        bytes += 4;
        i++;
      } else {
        bytes += 3; // a lone surrogate becomes U+FFFD (3 bytes) when encoded
      }
    } else bytes += 3;
  }
  return bytes;
}

/** UTF-8 bytes of `JSON.stringify(value)`; `0` for values JSON cannot represent (`undefined`). */
export function jsonByteLength(value: unknown): number {
  const json = JSON.stringify(value);
  return json === undefined ? 0 : utf8ByteLength(json);
}

/** Encodes a string as UTF-8 (shared so modules do not each build a `TextEncoder`). */
export function utf8Encode(value: string): Uint8Array {
  return encoder.encode(value);
}

function fail(
  field: string,
  message: string,
  limit?: number | string,
  actual?: unknown,
): CustomerIoValidationError {
  return new CustomerIoValidationError(`${field}: ${message}`, { field, limit, actual });
}

/** Whether `value` is a plain object (not an array, `null`, a Date or a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks a person identifier value: a non-empty string of at most 150 UTF-8 bytes.
 *
 * @throws {CustomerIoValidationError} naming `field`.
 */
export function assertIdentifier(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') {
    throw fail(field, `must be a string, got ${describe(value)}`, undefined, describe(value));
  }
  if (value.trim().length === 0) throw fail(field, 'must not be empty', 'non-empty', 0);
  const bytes = utf8ByteLength(value);
  if (bytes > TRACK_LIMITS.identifierBytes) {
    throw fail(
      field,
      `is ${bytes} bytes; Customer.io allows at most ${TRACK_LIMITS.identifierBytes} bytes (UTF-8)`,
      TRACK_LIMITS.identifierBytes,
      bytes,
    );
  }
}

/**
 * Checks a unix timestamp in seconds: a non-negative integer below 1e10. A millisecond value
 * passed by mistake is the common bug, so the message says to divide by 1000.
 *
 * @throws {CustomerIoValidationError} naming `field`.
 */
export function assertTimestamp(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw fail(
      field,
      `must be unix seconds (a finite number), got ${describe(value)}`,
      'unix seconds',
      describe(value),
    );
  }
  if (value >= TRACK_LIMITS.maxTimestampSeconds) {
    throw fail(
      field,
      `${value} looks like milliseconds (it would be after the year 2286); Customer.io takes unix seconds: divide by 1000 (Math.floor(ms / 1000))`,
      TRACK_LIMITS.maxTimestampSeconds,
      value,
    );
  }
  if (!Number.isInteger(value) || value < 0) {
    throw fail(
      field,
      `must be whole unix seconds (a non-negative integer), got ${value}; use Math.floor(ms / 1000)`,
      'integer unix seconds',
      value,
    );
  }
}

/**
 * Checks an attribute map: a plain object with at most 300 attributes, names of at most 150 bytes
 * and values of at most 1000 bytes (strings in UTF-8 bytes, other values by their JSON size). The
 * control keys `_timestamp`, `_update` and `cio_relationships` count against neither limit;
 * `_timestamp` and a numeric `created_at` must be unix seconds. `undefined` values are skipped:
 * JSON drops them.
 *
 * @throws {CustomerIoValidationError} naming `field.<attribute>`.
 */
export function assertAttributes(value: unknown, field: string): void {
  if (!isPlainObject(value)) {
    throw fail(field, `must be a plain object, got ${describe(value)}`, 'object', describe(value));
  }
  let count = 0;
  for (const [name, attribute] of Object.entries(value)) {
    if (attribute === undefined) continue;
    const control = CONTROL_KEYS.has(name);
    if (!control) count++;
    const nameBytes = utf8ByteLength(name);
    if (nameBytes === 0) throw fail(`${field}[""]`, 'attribute name must not be empty');
    if (nameBytes > TRACK_LIMITS.attributeNameBytes) {
      throw fail(
        `${field}.${truncate(name)}`,
        `attribute name is ${nameBytes} bytes; Customer.io allows at most ${TRACK_LIMITS.attributeNameBytes} bytes`,
        TRACK_LIMITS.attributeNameBytes,
        nameBytes,
      );
    }
    if (control) {
      if (name === '_timestamp') assertTimestamp(attribute, `${field}._timestamp`);
      continue;
    }
    const valueBytes = attributeValueBytes(attribute);
    if (valueBytes > TRACK_LIMITS.attributeValueBytes) {
      throw fail(
        `${field}.${name}`,
        `value is ${valueBytes} bytes; Customer.io allows at most ${TRACK_LIMITS.attributeValueBytes} bytes per attribute value`,
        TRACK_LIMITS.attributeValueBytes,
        valueBytes,
      );
    }
    if (name === 'created_at' && typeof attribute === 'number') {
      assertTimestamp(attribute, `${field}.${name}`);
    }
  }
  if (count > TRACK_LIMITS.attributesPerCall) {
    throw fail(
      field,
      `has ${count} attributes; Customer.io accepts at most ${TRACK_LIMITS.attributesPerCall} in one call`,
      TRACK_LIMITS.attributesPerCall,
      count,
    );
  }
}

/**
 * Checks an event name: non-empty and at most 100 bytes, both after trimming (Customer.io trims
 * surrounding spaces).
 *
 * @throws {CustomerIoValidationError} naming `field`.
 */
export function assertEventName(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') {
    throw fail(field, `must be a string, got ${describe(value)}`, undefined, describe(value));
  }
  const trimmed = value.trim();
  if (trimmed.length === 0) throw fail(field, 'must not be empty', 'non-empty', 0);
  // Customer.io trims surrounding spaces before it measures and stores the name.
  const bytes = utf8ByteLength(trimmed);
  if (bytes > TRACK_LIMITS.eventNameBytes) {
    throw fail(
      field,
      `is ${bytes} bytes; Customer.io allows at most ${TRACK_LIMITS.eventNameBytes} bytes`,
      TRACK_LIMITS.eventNameBytes,
      bytes,
    );
  }
}

/** A serialised piece of a body: its JSON and that JSON's UTF-8 bytes. */
export interface JsonPiece {
  json: string;
  bytes: number;
}

/**
 * Checks event data, a plain object ("event data must be a hash") of at most 100,000 JSON bytes,
 * and returns it serialised: the request body is built around this piece, so the data is
 * serialised once.
 *
 * @throws {CustomerIoValidationError} naming `field`.
 */
export function serializeEventData(value: unknown, field: string): JsonPiece {
  assertEventDataShape(value, field);
  const json = JSON.stringify(value);
  const bytes = utf8ByteLength(json);
  if (bytes > TRACK_LIMITS.eventDataBytes) {
    throw fail(
      field,
      `is ${bytes} bytes of JSON; Customer.io allows at most ${TRACK_LIMITS.eventDataBytes} bytes`,
      TRACK_LIMITS.eventDataBytes,
      bytes,
    );
  }
  return { json, bytes };
}

/** Checks event data (see {@link serializeEventData}). */
export function assertEventData(value: unknown, field: string): void {
  serializeEventData(value, field);
}

/**
 * Checks event data is a plain object, without measuring it: for callers that measure the JSON it
 * is part of, whose limit is lower.
 *
 * @throws {CustomerIoValidationError} naming `field`.
 */
export function assertEventDataShape(value: unknown, field: string): void {
  if (!isPlainObject(value)) {
    throw fail(field, `must be a plain object, got ${describe(value)}`, 'object', describe(value));
  }
}

/**
 * `json` (an object's JSON) with one more member at the end, `"key":<piece>`, without
 * serialising the piece again.
 */
export function withJsonMember(json: string, key: string, piece: JsonPiece): JsonPiece {
  const name = JSON.stringify(key);
  const empty = json === '{}';
  return {
    json: `${json.slice(0, -1)}${empty ? '' : ','}${name}:${piece.json}}`,
    // Each part counted once; the piece's bytes are known.
    bytes: utf8ByteLength(json) + (empty ? 0 : 1) + utf8ByteLength(name) + 1 + piece.bytes,
  };
}

/**
 * Bytes an attribute value counts for: UTF-8 bytes of a string, JSON bytes of anything else.
 * Numbers, booleans and null are measured without serialising them.
 */
function attributeValueBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return utf8ByteLength(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4; // JSON writes null
    case 'boolean':
      return value ? 4 : 5;
    default:
      return value === null ? 4 : jsonByteLength(value);
  }
}

/** Checks a value is one of `allowed`. */
export function assertOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw fail(
      field,
      `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`,
      allowed.join('|'),
      describe(value),
    );
  }
}

/** A short, value-free description for messages (never echoes long or secret-looking input). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string`;
  if (typeof value === 'number') return String(value);
  return typeof value;
}

function truncate(name: string): string {
  return name.length > 40 ? `${name.slice(0, 40)}…` : name;
}
