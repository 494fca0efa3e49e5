/**
 * Person identifiers: from the caller's `string | PersonIdentifier` to a v1 path segment or v2
 * `identifiers` object.
 *
 * - v1 has no `id_type`: the path segment is the id or email, or `cio_<value>` for a `cio_id`, and
 *   must be percent-encoded (`+`, `@`, `&`, spaces and `/` break paths otherwise).
 * - v2 and merge bodies carry `cio_id` *without* the `cio_` prefix (Customer.io's examples, and
 *   Segment's destination strips it), so a prefixed value is stripped there.
 *
 * @module
 */
import { CustomerIoValidationError } from './errors.js';
import { assertIdentifier, isPlainObject } from './limits.js';
import type { PersonIdentifier, PersonRef, V2PersonIdentifiers } from './types.js';

const PERSON_KEYS = ['id', 'email', 'cio_id'] as const;
const V2_KEYS = ['id', 'email', 'cio_id', 'phone'] as const;

/** Removes a leading `cio_` from a `cio_id` value. */
export function stripCioPrefix(value: string): string {
  return value.startsWith('cio_') ? value.slice(4) : value;
}

/**
 * Reads an identifier object that must hold exactly one of `keys` with a valid value.
 *
 * @throws {CustomerIoValidationError} naming `field`.
 */
function readSingleIdentifier<K extends string>(
  value: unknown,
  keys: readonly K[],
  field: string,
): [K, string] {
  if (!isPlainObject(value)) {
    throw new CustomerIoValidationError(
      `${field}: must be a string or an object with exactly one of ${keys.join(', ')}`,
      { field },
    );
  }
  const present = Object.keys(value).filter((key) => value[key] !== undefined);
  const known = present.filter((key): key is K => (keys as readonly string[]).includes(key));
  if (known.length !== 1 || present.length !== 1) {
    throw new CustomerIoValidationError(
      `${field}: must have exactly one of ${keys.join(', ')}, got ${present.length === 0 ? 'none' : present.join(', ')}`,
      { field, limit: 1, actual: present.length },
    );
  }
  const key = known[0]!;
  const raw = value[key];
  const text = key === 'cio_id' && typeof raw === 'string' ? stripCioPrefix(raw) : raw;
  assertIdentifier(text, `${field}.${key}`);
  return [key, text];
}

/**
 * The percent-encoded v1 path segment for a person: the id or email itself, or `cio_<value>`.
 *
 * @example
 * ```ts
 * personPathSegment('a+b@example.com'); // 'a%2Bb%40example.com'
 * personPathSegment({ cio_id: '03000001' }); // 'cio_03000001'
 * ```
 */
export function personPathSegment(person: PersonRef, field = 'person'): string {
  if (typeof person === 'string') {
    assertIdentifier(person, field);
    return encodeURIComponent(person);
  }
  const [key, value] = readSingleIdentifier(person, PERSON_KEYS, field);
  return encodeURIComponent(key === 'cio_id' ? `cio_${value}` : value);
}

/**
 * v2 `identifiers` for a person: a string becomes `{ id }`; a `cio_id` loses its `cio_` prefix.
 *
 * @example
 * ```ts
 * toV2Identifiers({ cio_id: 'cio_03000001' }); // { cio_id: '03000001' }
 * ```
 */
export function toV2Identifiers(
  person: PersonRef | V2PersonIdentifiers,
  field = 'identifiers',
): V2PersonIdentifiers {
  if (typeof person === 'string') {
    assertIdentifier(person, field);
    return { id: person };
  }
  const [key, value] = readSingleIdentifier(person, V2_KEYS, field);
  return { [key]: value } as V2PersonIdentifiers;
}

/** A merge `primary`/`secondary`: exactly one of id, email, cio_id (no prefix). */
export function toMergeIdentifier(person: PersonRef, field: string): PersonIdentifier {
  if (typeof person === 'string') {
    assertIdentifier(person, field);
    return { id: person };
  }
  const [key, value] = readSingleIdentifier(person, PERSON_KEYS, field);
  return { [key]: value } as PersonIdentifier;
}
