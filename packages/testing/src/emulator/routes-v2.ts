/**
 * Track API v2: `/entity` (one operation) and `/batch`. Whole-request problems answer 400
 * `{errors:[{reason, field, message}]}`; a batch with bad operations applies the good ones and
 * answers 207 with each bad one's `batch_index`. The `reason` codes are the emulator's own.
 */

import { type CallOutcome, jsonAnswer, okAnswer } from './call.js';
import { isPlainObject, limits, utf8Bytes, type Violation } from './limits.js';
import {
  type Parsed,
  type PersonOperation,
  parseDevice,
  parseEvent,
  parseIdentify,
  parseMerge,
  personRefFromObject,
} from './operations.js';
import type { RouteContext } from './routes-v1.js';

/** `undefined` means no such endpoint. */
export function routeV2(
  method: string,
  segments: string[],
  body: string,
  context: RouteContext,
): CallOutcome | undefined {
  const [, , endpoint, extra] = segments;
  if (method !== 'POST' || extra !== undefined) return undefined;
  if (endpoint === 'entity') return entity(body, context);
  if (endpoint === 'batch') return batch(body, context);
  return undefined;
}

function entity(body: string, context: RouteContext): CallOutcome {
  if (utf8Bytes(body) >= limits.entityRequestBytesExclusive) {
    return badRequest([
      { reason: 'too_large', field: 'body', message: 'request must be smaller than 32kb' },
    ]);
  }
  const payload = parseJson(body);
  if (!payload.ok) return badRequest(payload.violations);
  const operation = parseOperation(payload.value);
  if (!operation.ok) return badRequest(operation.violations);
  context.report(context.state.apply(operation.value, context.nowMs));
  return okAnswer();
}

function batch(body: string, context: RouteContext): CallOutcome {
  if (utf8Bytes(body) >= limits.batchRequestBytesExclusive) {
    return badRequest([
      { reason: 'too_large', field: 'body', message: 'batch request must be smaller than 500kb' },
    ]);
  }
  const payload = parseJson(body);
  if (!payload.ok) return badRequest(payload.violations);
  const operations = isPlainObject(payload.value) ? payload.value.batch : undefined;
  if (!Array.isArray(operations)) {
    return badRequest([
      { reason: 'required', field: 'batch', message: 'batch must be an array of operations' },
    ]);
  }

  const errors: Array<Violation & { batch_index: number }> = [];
  operations.forEach((raw: unknown, index) => {
    const operation: Parsed<PersonOperation> =
      utf8Bytes(JSON.stringify(raw) ?? '') > limits.batchOperationBytesInclusive
        ? {
            ok: false,
            violations: [
              { reason: 'too_large', field: '', message: 'operation must be 32kb or smaller' },
            ],
          }
        : parseOperation(raw);
    if (operation.ok) context.report(context.state.apply(operation.value, context.nowMs));
    else
      for (const violation of operation.violations)
        errors.push({ batch_index: index, ...violation });
  });
  return errors.length > 0 ? jsonAnswer(207, { errors }) : okAnswer();
}

function badRequest(violations: Violation[]): CallOutcome {
  return jsonAnswer(400, { errors: violations });
}

function parseJson(body: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return {
      ok: false,
      violations: [
        { reason: 'invalid', field: 'body', message: 'request body must be valid JSON' },
      ],
    };
  }
}

const invalid = (field: string, message: string): Parsed<never> => ({
  ok: false,
  violations: [{ reason: 'invalid', field, message }],
});

const accepted: Parsed<PersonOperation> = { ok: true, value: { action: 'accept' } };

const objectActions = new Set([
  'identify',
  'identify_anonymous',
  'delete',
  'add_relationships',
  'delete_relationships',
]);

function parseOperation(raw: unknown): Parsed<PersonOperation> {
  if (!isPlainObject(raw)) return invalid('', 'operation must be an object');
  const { type, action } = raw;
  if (type === 'person') return parsePersonOperation(raw);
  // Objects and deliveries are valid Track traffic the emulator does not model: accept and record.
  if (type === 'object') {
    if (typeof action !== 'string' || !objectActions.has(action)) {
      return invalid('action', `action must be one of ${[...objectActions].join(', ')}`);
    }
    return isPlainObject(raw.identifiers)
      ? accepted
      : invalid('identifiers', 'identifiers must be present');
  }
  if (type === 'delivery') {
    return action === 'event' ? accepted : invalid('action', 'action must be event');
  }
  return invalid('type', 'type must be one of person, object, delivery');
}

function parsePersonOperation(raw: Record<string, unknown>): Parsed<PersonOperation> {
  const { action } = raw;
  if (action === 'merge') return parseMerge(raw);
  const person = personRefFromObject(raw.identifiers, 'identifiers');
  if (!person.ok) return person;
  const ref = person.value;
  switch (action) {
    case 'identify': {
      const attributes = raw.attributes ?? {};
      if (!isPlainObject(attributes)) return invalid('attributes', 'attributes must be a hash');
      return parseIdentify({
        person: ref,
        attributes,
        timestamp: raw.timestamp,
        fields: { attributes: 'attributes', timestamp: 'timestamp' },
      });
    }
    case 'delete':
    case 'suppress':
    case 'unsuppress':
      return { ok: true, value: { action, person: ref } };
    case 'event':
    case 'page':
    case 'screen':
      return parseEvent({
        person: ref,
        body: { ...raw, anonymous_id: undefined },
        type: action,
        dataField: 'attributes',
      });
    case 'add_device': {
      const device = parseDevice(raw.device, 'token');
      return device.ok
        ? { ok: true, value: { action, person: ref, device: device.value } }
        : device;
    }
    case 'delete_device': {
      const token = isPlainObject(raw.device) ? raw.device.token : undefined;
      if (typeof token !== 'string' || token === '') {
        return {
          ok: false,
          violations: [
            { reason: 'required', field: 'device.token', message: 'device token must be present' },
          ],
        };
      }
      return { ok: true, value: { action, person: ref, token } };
    }
    case 'add_relationships':
    case 'delete_relationships':
      return Array.isArray(raw.cio_relationships)
        ? accepted
        : invalid('cio_relationships', 'cio_relationships must be an array');
    default:
      return invalid('action', 'unknown action for type person');
  }
}
