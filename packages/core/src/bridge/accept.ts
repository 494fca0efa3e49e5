import { parsePurchaselyEvent } from '../events/index.js';
import type { SkipReason } from './answers.js';
import { decide, eventIdsOf } from './policy.js';
import type { AcceptedEvent } from './queue.js';
import { byteLength } from './read-body.js';
import type { ResolvedConfig } from './resolve-config.js';

/**
 * What `bridge.accept` makes of a body: the same conclusion a live webhook would reach.
 *
 * @example
 * ```ts
 * const result: AcceptResult = await bridge.accept(body);
 * if (result.status === 'accepted') queue.push(result.event);
 * else if (result.status === 'skipped') console.log(`${result.eventId}: ${result.reason}`);
 * ```
 */
export type AcceptResult =
  | { status: 'accepted'; event: AcceptedEvent }
  | { status: 'skipped'; reason: SkipReason; eventId: string; eventName: string }
  | {
      status: 'invalid';
      /** `payload_too_large`, or the parser's code (`invalid_json`, `invalid_payload`, …). */
      code: string;
      message: string;
    }
  | { status: 'identify_failed'; eventId: string; eventName: string; error: unknown };

/** Accept: a raw body through the live policy, without a signature, a claim, a handler or the archive. */
export type Accept = (body: string | Uint8Array) => Promise<AcceptResult>;

export function createAccepter(config: ResolvedConfig): Accept {
  return async (body) => {
    if (byteLength(body) > config.maxBodyBytes) {
      return {
        status: 'invalid',
        code: 'payload_too_large',
        message: `The body is over ${config.maxBodyBytes} bytes.`,
      };
    }
    const parsed = parsePurchaselyEvent(body);
    if (!parsed.ok) {
      return { status: 'invalid', code: parsed.error.code, message: parsed.error.message };
    }
    const { event } = parsed;
    const eventIds = eventIdsOf(event);
    const decision = await decide(config, event, parsed.known, eventIds);
    if (decision.kind === 'accept') return { status: 'accepted', event: decision.accepted };
    const ids = { eventId: eventIds.eventId, eventName: event.event_name };
    return decision.kind === 'skip'
      ? { status: 'skipped', reason: decision.reason, ...ids }
      : { status: 'identify_failed', ...ids, error: decision.error };
  };
}
