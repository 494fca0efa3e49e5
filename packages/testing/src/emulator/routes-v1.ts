/**
 * Track API v1. Error bodies follow what has been seen live: identify answers
 * `{"meta":{"errors":[...]}}` (customerio-node#29), every other call `{"meta":{"error":"..."}}`
 * (the docs' example and the merge spec).
 */

import { type CallOutcome, jsonAnswer, okAnswer } from './call.js';
import { isPlainObject, type Violation } from './limits.js';
import {
  type Parsed,
  type PersonOperation,
  type PersonRef,
  parseDevice,
  parseEvent,
  parseIdentify,
  parseMerge,
  personRefFromPath,
} from './operations.js';
import type { ApplyResult, WorkspaceState } from './state.js';

export interface RouteContext {
  state: WorkspaceState;
  nowMs: number;
  /** Counts drops and duplicates; the answer is 200 either way. */
  report(result: ApplyResult): void;
}

type Route = (segments: string[], body: string, context: RouteContext) => CallOutcome | undefined;

const routes: Record<string, Route> = {
  PUT(segments, body, context) {
    const [, , resource, identifier, sub, extra] = segments;
    if (resource !== 'customers' || identifier === undefined || extra !== undefined) {
      return undefined;
    }
    if (sub === undefined) {
      return withPerson(identifier, 'errors', (person) =>
        withObject(body, 'errors', (attributes) =>
          apply(
            parseIdentify({
              person,
              attributes,
              timestamp: attributes._timestamp,
              fields: { attributes: '', timestamp: '_timestamp' },
            }),
            'errors',
            context,
          ),
        ),
      );
    }
    if (sub === 'devices') {
      return withPerson(identifier, 'error', (person) =>
        withObject(body, 'error', (payload) =>
          apply(
            mapParsed(parseDevice(payload.device, 'id'), (device) => ({
              action: 'add_device',
              person,
              device,
            })),
            'error',
            context,
          ),
        ),
      );
    }
    return undefined;
  },

  DELETE(segments, _body, context) {
    const [, , resource, identifier, sub, deviceToken, extra] = segments;
    if (resource !== 'customers' || identifier === undefined || extra !== undefined) {
      return undefined;
    }
    if (sub === undefined) {
      return withPerson(identifier, 'error', (person) =>
        apply({ ok: true, value: { action: 'delete', person } }, 'error', context),
      );
    }
    if (sub === 'devices' && deviceToken !== undefined) {
      return withPerson(identifier, 'error', (person) =>
        apply(
          { ok: true, value: { action: 'delete_device', person, token: deviceToken } },
          'error',
          context,
        ),
      );
    }
    return undefined;
  },

  POST(segments, body, context) {
    const [, , resource, identifier, sub, extra] = segments;
    if (resource === 'events' && identifier === undefined) {
      return withObject(body, 'error', (payload) =>
        apply(
          parseEvent({ body: payload, type: payload.type, dataField: 'data' }),
          'error',
          context,
        ),
      );
    }
    if (resource === 'merge_customers' && identifier === undefined) {
      return withObject(body, 'error', (payload) => apply(parseMerge(payload), 'error', context));
    }
    if (resource !== 'customers' || identifier === undefined || extra !== undefined) {
      return undefined;
    }
    if (sub === 'events') {
      return withPerson(identifier, 'error', (person) =>
        withObject(body, 'error', (payload) =>
          apply(
            // v1 person events carry no anonymous_id; ignore one if sent.
            parseEvent({
              person,
              body: { ...payload, anonymous_id: undefined },
              type: payload.type,
              dataField: 'data',
            }),
            'error',
            context,
          ),
        ),
      );
    }
    if (sub === 'suppress' || sub === 'unsuppress') {
      return withPerson(identifier, 'error', (person) =>
        apply({ ok: true, value: { action: sub, person } }, 'error', context),
      );
    }
    return undefined;
  },
};

/**
 * Routes `/api/v1/...` except the region lookup, which the pipeline answers before region checks.
 * `undefined` means no such endpoint.
 */
export function routeV1(
  method: string,
  segments: string[],
  body: string,
  context: RouteContext,
): CallOutcome | undefined {
  return routes[method]?.(segments, body, context);
}

type ErrorShape = 'error' | 'errors';

function badRequest(violations: Violation[], shape: ErrorShape): CallOutcome {
  const messages = violations.map((violation) => violation.message);
  return jsonAnswer(400, {
    meta: shape === 'errors' ? { errors: messages } : { error: messages[0] },
  });
}

function apply(
  operation: Parsed<PersonOperation>,
  shape: ErrorShape,
  context: RouteContext,
): CallOutcome {
  if (!operation.ok) return badRequest(operation.violations, shape);
  context.report(context.state.apply(operation.value, context.nowMs));
  return okAnswer();
}

function withPerson(
  identifier: string,
  shape: ErrorShape,
  next: (person: PersonRef) => CallOutcome,
): CallOutcome {
  const person = personRefFromPath(identifier);
  return person.ok ? next(person.value) : badRequest(person.violations, shape);
}

/** An empty body reads as `{}`: bodiless PUTs are legal and mean "no attributes". */
function withObject(
  body: string,
  shape: ErrorShape,
  next: (payload: Record<string, unknown>) => CallOutcome,
): CallOutcome {
  let payload: unknown = {};
  if (body.trim() !== '') {
    try {
      payload = JSON.parse(body);
    } catch {
      return badRequest(
        [{ reason: 'invalid', field: 'body', message: 'request body must be valid JSON' }],
        shape,
      );
    }
  }
  if (!isPlainObject(payload)) {
    return badRequest(
      [{ reason: 'invalid', field: 'body', message: 'request body must be a JSON object' }],
      shape,
    );
  }
  return next(payload);
}

function mapParsed<T, U>(value: Parsed<T>, map: (value: T) => U): Parsed<U> {
  return value.ok ? { ok: true, value: map(value.value) } : value;
}
