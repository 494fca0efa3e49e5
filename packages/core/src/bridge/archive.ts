import type { PurchaselyEvent, UnknownPurchaselyEvent } from '../events/index.js';

/**
 * One webhook as the archive keeps it: enough to deliver it again later (a backfill, a replay after a
 * mapping change, a migration to another workspace), and nothing that proves it came from Purchasely: no
 * secret, no signature header.
 *
 * @example
 * ```ts
 * const record: ArchiveRecord = JSON.parse(line); // a line of an NDJSON archive
 * const result = await bridge.accept(record.body); // the webhook as it was received
 * ```
 */
export interface ArchiveRecord {
  /** When the bridge received it, as an ISO 8601 string (UTC). */
  receivedAt: string;
  /** Purchasely's `event_id`, or, for old payloads without one, the Customer.io event id (a ULID). */
  eventId: string;
  /** Purchasely's `event_name`, as sent. */
  eventName: string;
  /**
   * The raw body as a UTF-8 string, byte for byte as Purchasely sent it (the bridge only archives bodies
   * that decode as strict UTF-8): parsing it again gives exactly the event that was received.
   */
  body: string;
}

/**
 * Where the bridge archives webhooks (the `archive` option): every authentic, parsed webhook, written
 * before the bridge answers. `write` resolves once the record is stored; if it rejects, the webhook is not
 * acknowledged (503 `archive_unavailable`), so Purchasely re-delivers it and the archive misses nothing.
 * On Node, `createFileArchive()` from `@purchasely-customerio/cli` writes rotated NDJSON files.
 *
 * @example
 * ```ts
 * const archive: WebhookArchive = {
 *   write: async (record) => {
 *     await bucket.put(`webhooks/${record.receivedAt.slice(0, 10)}/${record.eventId}.json`, JSON.stringify(record));
 *   },
 * };
 * const bridge = createPurchaselyBridge({ ...config, archive });
 * ```
 */
export interface WebhookArchive {
  write(record: ArchiveRecord): Promise<void>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The record of a parsed body; a body that is not strict UTF-8 never parses, so decoding cannot fail. */
export function toArchiveRecord(
  body: string | Uint8Array,
  event: PurchaselyEvent | UnknownPurchaselyEvent,
  eventId: string,
  receivedAtMs: number,
): ArchiveRecord {
  return {
    receivedAt: new Date(receivedAtMs).toISOString(),
    eventId,
    eventName: event.event_name,
    body: typeof body === 'string' ? body : utf8.decode(body),
  };
}
