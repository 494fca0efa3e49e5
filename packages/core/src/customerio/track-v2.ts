/**
 * Track API v2 operations: validate one operation against Customer.io's rules and limits,
 * normalise it (event ULID added, `cio_` prefix stripped) and serialise it once, so the bytes
 * measured for the size limits are the bytes sent.
 *
 * @module
 */
import { CustomerIoValidationError, isCustomerIoValidationError } from './errors.js';
import { toMergeIdentifier, toV2Identifiers } from './identifiers.js';
import {
  assertAttributes,
  assertEventData,
  assertEventDataShape,
  assertEventName,
  assertOneOf,
  assertTimestamp,
  isPlainObject,
  utf8ByteLength,
} from './limits.js';
import { eventIdOrNew } from './track-v1.js';
import type { PersonRef, TrackV2Operation, V2PersonIdentifiers } from './types.js';

function isEventAction(action: string): boolean {
  return action === 'event' || action === 'page' || action === 'screen';
}

/** An operation validated, normalised and serialised. */
export interface PreparedOperation {
  /** Position in the caller's array (`batch()`) or add order (batcher). */
  index: number;
  /** The operation as it will be sent. */
  operation: TrackV2Operation;
  /** `JSON.stringify(operation)`, made once. */
  json: string;
  /** UTF-8 bytes of `json`. */
  bytes: number;
}

const ACTIONS = [
  'identify',
  'delete',
  'event',
  'page',
  'screen',
  'add_device',
  'delete_device',
  'suppress',
  'unsuppress',
  'add_relationships',
  'delete_relationships',
  'merge',
] as const;

function assertRelationships(value: unknown, field: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (!Array.isArray(value) || (required && value.length === 0)) {
    throw new CustomerIoValidationError(`${field}: must be a non-empty array of relationships`, {
      field,
    });
  }
  value.forEach((relationship, i) => {
    if (!isPlainObject(relationship) || !isPlainObject(relationship.identifiers)) {
      throw new CustomerIoValidationError(`${field}[${i}].identifiers: must be an object`, {
        field: `${field}[${i}].identifiers`,
      });
    }
    if (relationship.relationship_attributes !== undefined) {
      assertAttributes(
        relationship.relationship_attributes,
        `${field}[${i}].relationship_attributes`,
      );
    }
  });
}

/**
 * Validates and normalises one v2 operation (without size checks, which depend on the endpoint;
 * {@link prepareOperation} makes them on the operation's JSON).
 * Unknown extra keys are kept, for forward compatibility.
 *
 * @param field - the prefix for error fields, e.g. `batch[3]` or `operation`.
 * @throws {CustomerIoValidationError}
 */
export function normalizeOperation(op: TrackV2Operation, field: string): TrackV2Operation {
  if (!isPlainObject(op)) {
    throw new CustomerIoValidationError(`${field}: must be an operation object`, { field });
  }
  if (op.type !== 'person') {
    throw new CustomerIoValidationError(
      `${field}.type: only 'person' operations are supported, got ${JSON.stringify(op.type)}`,
      { field: `${field}.type`, limit: 'person' },
    );
  }
  assertOneOf(op.action, ACTIONS, `${field}.action`);
  if (op.action === 'merge') {
    return {
      ...op,
      primary: toMergeIdentifier(op.primary, `${field}.primary`),
      secondary: toMergeIdentifier(op.secondary, `${field}.secondary`),
    };
  }
  const identifiers = toV2Identifiers(
    op.identifiers as PersonRef | V2PersonIdentifiers,
    `${field}.identifiers`,
  );
  switch (op.action) {
    case 'identify':
      if (op.attributes !== undefined) assertAttributes(op.attributes, `${field}.attributes`);
      if (op.timestamp !== undefined) assertTimestamp(op.timestamp, `${field}.timestamp`);
      assertRelationships(op.cio_relationships, `${field}.cio_relationships`, false);
      return { ...op, identifiers };
    case 'event':
    case 'page':
    case 'screen': {
      assertEventName(op.name, `${field}.name`);
      if (op.attributes !== undefined) assertEventDataShape(op.attributes, `${field}.attributes`);
      if (op.timestamp !== undefined) assertTimestamp(op.timestamp, `${field}.timestamp`);
      const id = eventIdOrNew(op.id, op.timestamp, `${field}.id`);
      return { ...op, identifiers, id };
    }
    case 'add_device': {
      const device = op.device;
      if (!isPlainObject(device) || typeof device.token !== 'string' || device.token === '') {
        throw new CustomerIoValidationError(`${field}.device.token: must be a non-empty string`, {
          field: `${field}.device.token`,
        });
      }
      assertOneOf(device.platform, ['ios', 'android'], `${field}.device.platform`);
      if (device.last_used !== undefined) {
        assertTimestamp(device.last_used, `${field}.device.last_used`);
      }
      if (device.attributes !== undefined) {
        assertAttributes(device.attributes, `${field}.device.attributes`);
      }
      return { ...op, identifiers };
    }
    case 'delete_device':
      if (!isPlainObject(op.device) || typeof op.device.token !== 'string' || !op.device.token) {
        throw new CustomerIoValidationError(`${field}.device.token: must be a non-empty string`, {
          field: `${field}.device.token`,
        });
      }
      return { ...op, identifiers };
    case 'add_relationships':
    case 'delete_relationships':
      assertRelationships(op.cio_relationships, `${field}.cio_relationships`, true);
      return { ...op, identifiers };
    default:
      // delete, suppress, unsuppress: identifiers only.
      return { ...op, identifiers };
  }
}

/**
 * Validates, normalises and serialises one operation, and checks its size.
 *
 * @param maxBytes - the largest allowed serialised size (inclusive).
 * @throws {CustomerIoValidationError} with `index` set when `index` is given.
 */
export function prepareOperation(
  op: TrackV2Operation,
  options: { index: number; field: string; maxBytes: number; limitText: string },
): PreparedOperation {
  const { index, field, maxBytes, limitText } = options;
  try {
    const operation = normalizeOperation(op, field);
    // One JSON.stringify per operation; a batch body is these pieces joined (batch-split.ts).
    const json = JSON.stringify(operation);
    const bytes = utf8ByteLength(json);
    if (bytes > maxBytes) {
      // Event data has its own limit (100 KB), far above an operation's (32 KB), so it can only
      // be broken here: measured only then, to name the field when it is the data's fault.
      const data = (operation as { attributes?: unknown }).attributes;
      if (isEventAction(operation.action) && data !== undefined) {
        assertEventData(data, `${field}.attributes`);
      }
      throw new CustomerIoValidationError(
        `${field}: operation is ${bytes} bytes of JSON; ${limitText}`,
        { field, limit: maxBytes, actual: bytes },
      );
    }
    return { index, operation, json, bytes };
  } catch (error) {
    if (isCustomerIoValidationError(error) && error.index === undefined) {
      throw new CustomerIoValidationError(error.message, {
        field: error.field,
        ...(error.limit === undefined ? {} : { limit: error.limit }),
        actual: error.actual,
        index,
      });
    }
    throw error;
  }
}
