/**
 * The person operations both API versions share. v1 routes and v2 entries parse into these shapes,
 * so the rules that change state exist once, in `state.ts`.
 */

import {
  checkAttributes,
  checkEventData,
  checkEventId,
  checkEventName,
  checkIdentifier,
  checkUnixSeconds,
  fieldPath,
  identifyControlKeys,
  isPlainObject,
  type Violation,
} from './limits.js';

/** How a call names a person. `cio_id` values never carry the `cio_` prefix here. */
export interface PersonRef {
  kind: 'id' | 'email' | 'cio_id';
  value: string;
}

export interface IdentifyOperation {
  action: 'identify';
  person: PersonRef;
  /** As sent, minus the control keys. */
  attributes: Record<string, unknown>;
  timestamp?: number;
  updateOnly: boolean;
}

export interface EventOperation {
  action: 'event';
  person?: PersonRef;
  anonymousId?: string;
  name: string;
  id?: string;
  type: 'event' | 'page' | 'screen';
  timestamp?: number;
  data: Record<string, unknown>;
}

export interface DeviceInput {
  token: string;
  platform: 'ios' | 'android';
  lastUsed?: number;
  attributes: Record<string, unknown>;
}

export type PersonOperation =
  | IdentifyOperation
  | EventOperation
  | { action: 'delete' | 'suppress' | 'unsuppress'; person: PersonRef }
  | { action: 'add_device'; person: PersonRef; device: DeviceInput }
  | { action: 'delete_device'; person: PersonRef; token: string }
  | { action: 'merge'; primary: PersonRef; secondary: PersonRef }
  /** Valid operations on things the emulator does not model (objects, relationships, deliveries). */
  | { action: 'accept' };

export type Parsed<T> = { ok: true; value: T } | { ok: false; violations: Violation[] };

const parsed = <T>(violations: Violation[], build: () => T): Parsed<T> =>
  violations.length > 0 ? { ok: false, violations } : { ok: true, value: build() };

/**
 * A v1 path identifier. Customer.io infers its kind from its shape: `cio_<value>` is a cio_id,
 * anything with an `@` an email, everything else (phone numbers included) an id.
 */
export function personRefFromPath(identifier: string): Parsed<PersonRef> {
  return parsed(checkIdentifier(identifier, 'identifier'), () => {
    if (identifier.startsWith('cio_')) return { kind: 'cio_id', value: identifier.slice(4) };
    return { kind: identifier.includes('@') ? 'email' : 'id', value: identifier };
  });
}

const referenceKinds = ['id', 'email', 'cio_id'] as const;

/**
 * A v2 `identifiers` object, or a merge `primary`/`secondary`: exactly one of id, email or cio_id.
 * v2 also defines `phone`, but only for workspaces that enable it, which the emulator's do not.
 */
export function personRefFromObject(value: unknown, field: string): Parsed<PersonRef> {
  const keys = isPlainObject(value) ? Object.keys(value) : [];
  const kind = referenceKinds.find((candidate) => candidate === keys[0]);
  if (!isPlainObject(value) || keys.length !== 1 || kind === undefined) {
    const phone = isPlainObject(value) && 'phone' in value;
    return {
      ok: false,
      violations: [
        {
          reason: isPlainObject(value) ? 'invalid' : 'required',
          field,
          message: phone
            ? `${field}.phone is not enabled as an identifier in this workspace`
            : `${field} must contain exactly one of id, email or cio_id`,
        },
      ],
    };
  }
  const identifier = value[kind];
  return parsed(checkIdentifier(identifier, `${field}.${kind}`), () => ({
    kind,
    value: identifier as string,
  }));
}

export interface IdentifyInput {
  person: PersonRef;
  attributes: Record<string, unknown>;
  timestamp: unknown;
  fields: { attributes: string; timestamp: string };
}

export function parseIdentify({
  person,
  attributes,
  timestamp,
  fields,
}: IdentifyInput): Parsed<IdentifyOperation> {
  const violations = [
    ...checkAttributes(attributes, fields.attributes),
    ...checkUnixSeconds(timestamp, fields.timestamp),
    ...checkUnixSeconds(attributes.created_at, fieldPath(fields.attributes, 'created_at')),
  ];
  if ('id' in attributes) violations.push(...checkIdentifier(attributes.id, 'id'));
  return parsed(violations, () => ({
    action: 'identify',
    person,
    attributes: Object.fromEntries(
      Object.entries(attributes).filter(([name]) => !identifyControlKeys.has(name)),
    ),
    ...(timestamp === undefined ? {} : { timestamp: timestamp as number }),
    updateOnly: attributes._update === true,
  }));
}

export interface EventInput {
  person?: PersonRef;
  body: Record<string, unknown>;
  type: unknown;
  /** v1 calls the event payload `data`, v2 `attributes`. */
  dataField: 'data' | 'attributes';
}

export function parseEvent({ person, body, type, dataField }: EventInput): Parsed<EventOperation> {
  const violations = [
    ...checkEventName(body.name, 'name'),
    ...checkEventId(body.id, 'id'),
    ...checkUnixSeconds(body.timestamp, 'timestamp'),
    ...checkEventData(body[dataField], dataField),
  ];
  const anonymousId = body.anonymous_id;
  if (anonymousId !== undefined && anonymousId !== null && typeof anonymousId !== 'string') {
    violations.push({
      reason: 'invalid',
      field: 'anonymous_id',
      message: 'anonymous_id must be a string',
    });
  }
  return parsed(violations, () => ({
    action: 'event',
    ...(person ? { person } : {}),
    ...(typeof anonymousId === 'string' && anonymousId !== '' ? { anonymousId } : {}),
    // Customer.io trims event names, and files any type other than page or screen as `event`.
    name: (body.name as string).trim(),
    ...(typeof body.id === 'string' ? { id: body.id } : {}),
    type: type === 'page' || type === 'screen' ? type : 'event',
    ...(typeof body.timestamp === 'number' ? { timestamp: body.timestamp } : {}),
    data: (body[dataField] as Record<string, unknown> | undefined) ?? {},
  }));
}

/** A device object; v1 names its token `id`, v2 `token`. */
export function parseDevice(device: unknown, tokenField: 'id' | 'token'): Parsed<DeviceInput> {
  if (!isPlainObject(device)) {
    return {
      ok: false,
      violations: [{ reason: 'required', field: 'device', message: 'device must be present' }],
    };
  }
  const violations: Violation[] = [];
  const token = device[tokenField];
  if (typeof token !== 'string' || token === '') {
    violations.push({
      reason: 'required',
      field: `device.${tokenField}`,
      message: `device ${tokenField} must be present`,
    });
  }
  if (device.platform !== 'ios' && device.platform !== 'android') {
    violations.push({
      reason: 'invalid',
      field: 'device.platform',
      message: 'device platform must be one of ios, android',
    });
  }
  violations.push(...checkUnixSeconds(device.last_used, 'device.last_used'));
  if (device.attributes !== undefined && !isPlainObject(device.attributes)) {
    violations.push({
      reason: 'invalid',
      field: 'device.attributes',
      message: 'device attributes must be a hash',
    });
  }
  return parsed(violations, () => ({
    token: token as string,
    platform: device.platform as DeviceInput['platform'],
    ...(typeof device.last_used === 'number' ? { lastUsed: device.last_used } : {}),
    attributes: (device.attributes as Record<string, unknown> | undefined) ?? {},
  }));
}

export function parseMerge(body: Record<string, unknown>): Parsed<PersonOperation> {
  const primary = personRefFromObject(body.primary, 'primary');
  const secondary = personRefFromObject(body.secondary, 'secondary');
  if (!primary.ok || !secondary.ok) {
    return {
      ok: false,
      violations: [
        ...(primary.ok ? [] : primary.violations),
        ...(secondary.ok ? [] : secondary.violations),
      ],
    };
  }
  return {
    ok: true,
    value: { action: 'merge', primary: primary.value, secondary: secondary.value },
  };
}
