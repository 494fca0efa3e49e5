/**
 * Track API v1 request builders: validate the caller's input against Customer.io's limits and
 * produce the exact method, path and JSON body. Pure (apart from generating event ULIDs), so every
 * limit is enforced before a request can leave, and the body is serialised once: a retry re-sends
 * the same bytes, with the same event `id`.
 *
 * @module
 */
import { CustomerIoValidationError } from './errors.js';
import { personPathSegment, toMergeIdentifier } from './identifiers.js';
import {
  assertAttributes,
  assertEventName,
  assertIdentifier,
  assertOneOf,
  assertTimestamp,
  serializeEventData,
  withJsonMember,
} from './limits.js';
import type {
  AnonymousEvent,
  Attributes,
  Device,
  IdentifyOptions,
  PersonRef,
  TrackEvent,
} from './types.js';
import { isUlid, ulid } from './ulid.js';

/** An HTTP method the Track API uses. */
export type TrackMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A fully built request, ready for the transport. */
export interface PreparedRequest {
  method: TrackMethod;
  /** Path from the host, starting with `/api/`, percent-encoded. */
  path: string;
  /** The JSON body, serialised once. */
  body?: string;
  /** The event ULID, for event requests. */
  eventId?: string;
}

/**
 * The event id to send: the caller's (which must be a ULID) or a new one.
 *
 * @throws {CustomerIoValidationError} when the caller's id is not a ULID.
 */
export function eventIdOrNew(id: unknown, timestamp: number | undefined, field: string): string {
  if (id === undefined) return ulid(timestamp === undefined ? Date.now() : timestamp * 1000);
  if (!isUlid(id)) {
    throw new CustomerIoValidationError(
      `${field}: must be a ULID (26 Crockford base32 characters); Customer.io only deduplicates on ULIDs. Use eventIdFor(key, timeMs) to derive one from your own id`,
      { field, limit: 'ULID' },
    );
  }
  return id;
}

function assertOptionalTimestamp(value: unknown, field: string): void {
  if (value !== undefined) assertTimestamp(value, field);
}

/**
 * `PUT /api/v1/customers/{id}`: create or update a person.
 *
 * @example
 * ```ts
 * buildIdentify('user-1', { plan: 'pro' }, { timestamp: 1700000000 });
 * ```
 */
export function buildIdentify(
  person: PersonRef,
  attributes: Attributes = {},
  options: IdentifyOptions = {},
): PreparedRequest {
  const segment = personPathSegment(person);
  assertAttributes(attributes, 'attributes');
  assertOptionalTimestamp(options.timestamp, 'options.timestamp');
  const body: Record<string, unknown> = { ...attributes };
  if (options.timestamp !== undefined) body._timestamp = options.timestamp;
  if (options.update) body._update = true;
  return { method: 'PUT', path: `/api/v1/customers/${segment}`, body: JSON.stringify(body) };
}

function eventBody(
  event: { name: unknown; data?: unknown; id?: unknown; timestamp?: unknown },
  type: string | undefined,
  extra: Record<string, unknown>,
): { body: string; eventId: string } {
  assertEventName(event.name, 'event.name');
  const data = event.data === undefined ? undefined : serializeEventData(event.data, 'event.data');
  assertOptionalTimestamp(event.timestamp, 'event.timestamp');
  const eventId = eventIdOrNew(event.id, event.timestamp as number | undefined, 'event.id');
  const body: Record<string, unknown> = { name: event.name, id: eventId, ...extra };
  if (type !== undefined) body.type = type;
  if (event.timestamp !== undefined) body.timestamp = event.timestamp;
  // The data was serialised for its size check: the body is built around that piece.
  const head = JSON.stringify(body);
  return { body: data === undefined ? head : withJsonMember(head, 'data', data).json, eventId };
}

/** `POST /api/v1/customers/{id}/events`: an event for a known person. */
export function buildTrack(person: PersonRef, event: TrackEvent): PreparedRequest {
  const segment = personPathSegment(person);
  if (event.type !== undefined) assertOneOf(event.type, ['event', 'page', 'screen'], 'event.type');
  const { body, eventId } = eventBody(event, event.type, {});
  return { method: 'POST', path: `/api/v1/customers/${segment}/events`, body, eventId };
}

/**
 * `POST /api/v1/events`: an anonymous event. An empty `anonymousId` sends none (Customer.io's
 * "invite" events carry `data.recipient` instead).
 */
export function buildTrackAnonymous(anonymousId: string, event: AnonymousEvent): PreparedRequest {
  if (anonymousId !== '') assertIdentifier(anonymousId, 'anonymousId');
  const extra = anonymousId === '' ? {} : { anonymous_id: anonymousId };
  const { body, eventId } = eventBody(event, undefined, extra);
  return { method: 'POST', path: '/api/v1/events', body, eventId };
}

/** `DELETE /api/v1/customers/{id}`. */
export function buildDeleteCustomer(person: PersonRef): PreparedRequest {
  return { method: 'DELETE', path: `/api/v1/customers/${personPathSegment(person)}` };
}

/** `POST /api/v1/customers/{id}/suppress` or `/unsuppress`. */
export function buildSuppression(
  person: PersonRef,
  action: 'suppress' | 'unsuppress',
): PreparedRequest {
  return { method: 'POST', path: `/api/v1/customers/${personPathSegment(person)}/${action}` };
}

function assertDeviceToken(token: unknown, field: string): asserts token is string {
  if (typeof token !== 'string' || token.length === 0) {
    throw new CustomerIoValidationError(`${field}: must be a non-empty string`, { field });
  }
}

/** `PUT /api/v1/customers/{id}/devices` (the token is sent as `device.id`). */
export function buildAddDevice(person: PersonRef, device: Device): PreparedRequest {
  const segment = personPathSegment(person);
  assertDeviceToken(device?.token, 'device.token');
  assertOneOf(device.platform, ['ios', 'android'], 'device.platform');
  assertOptionalTimestamp(device.lastUsed, 'device.lastUsed');
  if (device.attributes !== undefined) assertAttributes(device.attributes, 'device.attributes');
  const wire: Record<string, unknown> = { id: device.token, platform: device.platform };
  if (device.lastUsed !== undefined) wire.last_used = device.lastUsed;
  if (device.attributes !== undefined) wire.attributes = device.attributes;
  return {
    method: 'PUT',
    path: `/api/v1/customers/${segment}/devices`,
    body: JSON.stringify({ device: wire }),
  };
}

/** `DELETE /api/v1/customers/{id}/devices/{token}`. */
export function buildDeleteDevice(person: PersonRef, token: string): PreparedRequest {
  const segment = personPathSegment(person);
  assertDeviceToken(token, 'token');
  return {
    method: 'DELETE',
    path: `/api/v1/customers/${segment}/devices/${encodeURIComponent(token)}`,
  };
}

/** `POST /api/v1/merge_customers`: merge `secondary` into `primary` (irreversible). */
export function buildMergeCustomers(primary: PersonRef, secondary: PersonRef): PreparedRequest {
  const body = {
    primary: toMergeIdentifier(primary, 'primary'),
    secondary: toMergeIdentifier(secondary, 'secondary'),
  };
  return { method: 'POST', path: '/api/v1/merge_customers', body: JSON.stringify(body) };
}
