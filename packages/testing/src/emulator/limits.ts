/**
 * Customer.io's documented Track limits, and checks that return every breach with the message the
 * real API uses ([DOC-INVALID] "Common Error Messages"). Each check reports `field` in v2 terms
 * (`attributes.plan`, `name`); the v1 routes only show `message`.
 */

import { isUlid } from './ulid.js';

/** One reason a request or operation is refused. `reason` is ours: Customer.io does not document its codes. */
export interface Violation {
  reason: 'required' | 'invalid' | 'too_large';
  field: string;
  message: string;
}

export const limits = {
  identifierBytes: 150,
  attributeNameBytes: 150,
  attributeValueBytes: 1000,
  attributesPerCall: 300,
  eventNameBytes: 100,
  eventDataBytes: 100_000,
  /** "must be smaller than 32kb": we read kb as 1024 bytes, the stricter reading would be 32,000. */
  entityRequestBytesExclusive: 32 * 1024,
  batchOperationBytesInclusive: 32 * 1024,
  batchRequestBytesExclusive: 500 * 1024,
  /** Ten digits of seconds end in 2286; anything above is a millisecond value sent by mistake. */
  maxUnixSeconds: 9_999_999_999,
} as const;

const encoder = new TextEncoder();

export function utf8Bytes(text: string): number {
  return encoder.encode(text).byteLength;
}

/** Strings count their UTF-8 bytes; anything else counts its JSON text, the closest proxy to what is stored. */
export function valueBytes(value: unknown): number {
  return typeof value === 'string' ? utf8Bytes(value) : utf8Bytes(JSON.stringify(value) ?? '');
}

/** `attributes.plan` on v2; just `plan` on v1, whose attributes sit at the top of the body. */
export function fieldPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keys that steer an identify call rather than set an attribute, so they count against no limit. */
export const identifyControlKeys: ReadonlySet<string> = new Set([
  '_timestamp',
  '_update',
  'cio_relationships',
]);

/** A person identifier (path, `identifiers.*`, or the `id` attribute). */
export function checkIdentifier(value: unknown, field: string): Violation[] {
  if (value === undefined || value === null) {
    return [{ reason: 'required', field, message: 'id attribute must be present' }];
  }
  if (typeof value !== 'string') {
    return [{ reason: 'invalid', field, message: 'id attribute must be a string value' }];
  }
  if (value.trim() === '') {
    return [{ reason: 'invalid', field, message: 'id attribute cannot be an empty string' }];
  }
  if (utf8Bytes(value) > limits.identifierBytes) {
    // The 150-byte limit is documented but its message is not; this follows the sibling messages.
    return [
      {
        reason: 'too_large',
        field,
        message: `id attribute cannot be longer than ${limits.identifierBytes} bytes`,
      },
    ];
  }
  return [];
}

/** Attribute count, name and value sizes for one identify call. */
export function checkAttributes(attributes: Record<string, unknown>, field: string): Violation[] {
  const violations: Violation[] = [];
  const names = Object.keys(attributes).filter((name) => !identifyControlKeys.has(name));
  if (names.length > limits.attributesPerCall) {
    violations.push({
      reason: 'too_large',
      field,
      message: `cannot identify more than ${limits.attributesPerCall} attributes in one request`,
    });
  }
  for (const name of names) {
    if (utf8Bytes(name) > limits.attributeNameBytes) {
      violations.push({
        reason: 'too_large',
        field: fieldPath(field, name),
        message: `attribute name cannot be longer than ${limits.attributeNameBytes} bytes`,
      });
    }
    const value = attributes[name];
    if (value !== null && value !== undefined && valueBytes(value) > limits.attributeValueBytes) {
      violations.push({
        reason: 'too_large',
        field: fieldPath(field, name),
        message: `value for attribute '${name}' cannot be longer than ${limits.attributeValueBytes} bytes`,
      });
    }
  }
  return violations;
}

/** Track timestamps are integer unix seconds; a millisecond value is the classic mistake. */
export function checkUnixSeconds(value: unknown, field: string): Violation[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return [{ reason: 'invalid', field, message: `${field} must be a unix timestamp in seconds` }];
  }
  if (value > limits.maxUnixSeconds) {
    return [
      {
        reason: 'invalid',
        field,
        message: `${field} must be a unix timestamp in seconds, not milliseconds`,
      },
    ];
  }
  return [];
}

export function checkEventName(name: unknown, field: string): Violation[] {
  if (typeof name !== 'string' || name.trim() === '') {
    return [{ reason: 'required', field, message: 'event name must not be blank' }];
  }
  // The docs also list "event name must be less than 500 characters", which the 100-byte limit
  // always reaches first, so it can never be the answer.
  if (utf8Bytes(name.trim()) > limits.eventNameBytes) {
    return [
      {
        reason: 'too_large',
        field,
        message: `event name cannot be longer than ${limits.eventNameBytes} bytes`,
      },
    ];
  }
  return [];
}

export function checkEventData(data: unknown, field: string): Violation[] {
  if (data === undefined) return [];
  if (!isPlainObject(data)) {
    return [{ reason: 'invalid', field, message: 'event data must be a hash' }];
  }
  if (utf8Bytes(JSON.stringify(data)) > limits.eventDataBytes) {
    return [
      {
        reason: 'too_large',
        field,
        message: `event data cannot be longer than ${limits.eventDataBytes} bytes`,
      },
    ];
  }
  return [];
}

/**
 * The spec says an event `id` must be a ULID; the Ruby SDK's PR says invalid ids are rejected,
 * but the status is unconfirmed. We reject with 400 so a client that sends UUIDs finds out here.
 */
export function checkEventId(id: unknown, field: string): Violation[] {
  if (id === undefined) return [];
  if (typeof id !== 'string' || !isUlid(id)) {
    return [{ reason: 'invalid', field, message: `${field} must be a valid ULID` }];
  }
  return [];
}
