import type { SignatureFailureReason } from '../signature/index.js';
import type { TransientFailureReason } from './classify-failure.js';

/** Why an authentic event was acknowledged without being forwarded. */
export type SkipReason =
  | 'event_disabled'
  | 'unknown_event'
  | 'sandbox'
  | 'no_identity'
  | 'transfer_giver';

/** Everything the bridge can conclude about one request; each maps to exactly one HTTP answer. */
export type BridgeOutcome =
  | {
      kind: 'forwarded';
      eventId: string;
      eventName: string;
      customerioEvent: string;
      /** Set when the person's anonymous history could not be merged (see `AnonymousMerge`). */
      anonymousMerge?: 'unsupported';
    }
  | { kind: 'queued'; eventId: string; eventName: string; customerioEvent: string }
  | { kind: 'skipped'; reason: SkipReason; eventId?: string; eventName?: string }
  | { kind: 'duplicate'; eventId: string; eventName: string }
  | {
      kind: 'rejected';
      eventId?: string;
      eventName?: string;
      reason: 'customerio_rejected' | 'invalid_payload' | 'identify_failed';
    }
  | { kind: 'method_not_allowed' }
  | { kind: 'payload_too_large'; maxBytes: number }
  | { kind: 'body_timed_out'; timeoutMs: number }
  | { kind: 'body_already_parsed'; help: string }
  | { kind: 'invalid_signature'; reason: SignatureFailureReason }
  | { kind: 'invalid_body'; code: string; message: string }
  | { kind: 'customerio_unavailable'; reason: TransientFailureReason }
  | { kind: 'in_progress'; eventId: string; eventName: string }
  | { kind: 'store_unavailable'; eventId: string; eventName: string }
  | { kind: 'queue_unavailable'; eventId: string; eventName: string }
  | { kind: 'archive_unavailable'; eventId: string; eventName: string }
  | { kind: 'handler_failed'; eventId: string; eventName: string }
  | { kind: 'identify_failed'; eventId: string; eventName: string };

/** What goes back to Purchasely. */
export interface BridgeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The answer table: the one place where outcomes become HTTP statuses. Only a 200 acknowledges an event to
 * Purchasely; anything else is re-delivered (for about 20 days) and holds back that user's later events.
 *
 * | outcome | status | why |
 * | --- | --- | --- |
 * | forwarded, queued, skipped, duplicate | 200 | safe to forget: delivered, stored durably for delivery, deliberately ignored, or done before |
 * | rejected (Customer.io refused the event for good, or a signed body fails the v3 schema) | 200 | a retry cannot succeed; a non-200 would block the user's later events for weeks. The failure hook fires |
 * | method_not_allowed | 405 | not a webhook delivery |
 * | payload_too_large | 413 | over the body limit (default 1 MB); never read further |
 * | body_timed_out | 408 | the body did not arrive within the read timeout (default 5 s); the connection is closed |
 * | body_already_parsed | 500 | a body parser ran before the route and the signed bytes are gone: fix the mounting, Purchasely re-delivers |
 * | invalid_signature | 401 | not provably from Purchasely |
 * | invalid_body | 400 | not JSON, not an object, or a legacy api_version 2 body |
 * | customerio_unavailable | 503 | Customer.io down, too slow, or refusing our credentials: Purchasely re-delivers, nothing is lost |
 * | in_progress | 503 | another instance holds the event's claim: the re-delivery finds it done (or free again) |
 * | store_unavailable, queue_unavailable | 503 | the bridge could not claim or store the event: nothing is acknowledged that is not stored |
 * | archive_unavailable | 503 | the `archive` did not take the webhook: it is acknowledged only once archived, so the archive misses nothing |
 * | handler_failed | 500 | your `on()` handler threw (policy `'retry'`): Purchasely re-delivers |
 * | identify_failed | 500 | your `identify` resolver threw (policy `'retry'`): Purchasely re-delivers; with `'acknowledge'` it is a `rejected` (200) |
 */
export const STATUS_BY_OUTCOME = {
  forwarded: 200,
  queued: 200,
  skipped: 200,
  duplicate: 200,
  rejected: 200,
  method_not_allowed: 405,
  payload_too_large: 413,
  body_timed_out: 408,
  body_already_parsed: 500,
  invalid_signature: 401,
  invalid_body: 400,
  customerio_unavailable: 503,
  in_progress: 503,
  store_unavailable: 503,
  queue_unavailable: 503,
  archive_unavailable: 503,
  handler_failed: 500,
  identify_failed: 500,
} as const satisfies Record<BridgeOutcome['kind'], number>;

/** Turns an outcome into the HTTP answer: a small JSON body saying what happened, never a secret. */
export function toResponse(outcome: BridgeOutcome): BridgeResponse {
  const status = STATUS_BY_OUTCOME[outcome.kind];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (outcome.kind === 'method_not_allowed') headers.allow = 'POST';
  // The rest of an oversized upload may still be on the wire: don't reuse that connection.
  if (outcome.kind === 'payload_too_large' || outcome.kind === 'body_timed_out') {
    headers.connection = 'close';
  }
  if (STATUS_BY_OUTCOME[outcome.kind] === 503) headers['retry-after'] = '30';
  return { status, headers, body: JSON.stringify(describe(outcome)) };
}

function describe(outcome: BridgeOutcome): Record<string, unknown> {
  switch (outcome.kind) {
    case 'forwarded':
      return {
        status: 'forwarded',
        event_id: outcome.eventId,
        event_name: outcome.eventName,
        customerio_event: outcome.customerioEvent,
        ...(outcome.anonymousMerge === undefined
          ? {}
          : { anonymous_merge: outcome.anonymousMerge }),
      };
    case 'queued':
      return {
        status: 'queued',
        event_id: outcome.eventId,
        event_name: outcome.eventName,
        customerio_event: outcome.customerioEvent,
      };
    case 'skipped':
      return {
        status: 'skipped',
        reason: outcome.reason,
        event_id: outcome.eventId,
        event_name: outcome.eventName,
      };
    case 'duplicate':
      return { status: 'duplicate', event_id: outcome.eventId, event_name: outcome.eventName };
    case 'rejected':
      return {
        status: 'failed',
        reason: outcome.reason,
        event_id: outcome.eventId,
        event_name: outcome.eventName,
      };
    case 'method_not_allowed':
      return { error: 'method_not_allowed', message: 'Purchasely webhooks are POST requests.' };
    case 'payload_too_large':
      return { error: 'payload_too_large', message: `The body is over ${outcome.maxBytes} bytes.` };
    case 'body_timed_out':
      return {
        error: 'body_timed_out',
        message: `The body did not arrive within ${outcome.timeoutMs} ms.`,
      };
    case 'body_already_parsed':
      return { error: 'misconfigured', message: outcome.help };
    case 'invalid_signature':
      return { error: 'invalid_signature', reason: outcome.reason };
    case 'invalid_body':
      return { error: 'invalid_body', code: outcome.code, message: outcome.message };
    case 'customerio_unavailable':
      return { error: 'customerio_unavailable', reason: outcome.reason };
    case 'in_progress':
    case 'store_unavailable':
    case 'queue_unavailable':
    case 'archive_unavailable':
    case 'handler_failed':
    case 'identify_failed':
      return { error: outcome.kind, event_id: outcome.eventId, event_name: outcome.eventName };
  }
}
