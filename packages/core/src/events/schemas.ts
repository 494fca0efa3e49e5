import * as z from 'zod/mini';
import { PURCHASELY_EVENT_NAMES, type PurchaselyEventName } from './catalog.js';
import {
  baseEventShape,
  CURRENCY_PREFIXES,
  dedupIdsCheck,
  planChangeShape,
  TRANSACTION_CURRENCY_PREFIXES,
  transactionShape,
  transferredFromShape,
  transferredToShape,
} from './fields.js';
import type { PurchaselyEvent, UnknownPurchaselyEvent } from './types.js';

/** The events that carry fields of their own, beyond the shared payload. */
const EXTRA_SHAPES: Partial<Record<PurchaselyEventName, z.core.$ZodLooseShape>> = {
  SUBSCRIPTION_TRANSFERRED: transferredToShape,
  ONE_TIME_PURCHASE_TRANSFERRED: transferredToShape,
  SUBSCRIPTION_RECEIVED: transferredFromShape,
  ONE_TIME_PURCHASE_RECEIVED: transferredFromShape,
  SUBSCRIPTION_CROSSGRADED: planChangeShape,
  SUBSCRIPTION_DOWNGRADED: planChangeShape,
  SUBSCRIPTION_UPGRADED: planChangeShape,
  TRANSACTION_PROCESSED: transactionShape,
};

/** A check that every `<prefix>_in_<cur>` key present holds a number (or null). */
function currencyAmounts(prefixes: readonly string[]) {
  const pattern = new RegExp(`^(?:${prefixes.join('|')})_in_[a-z]{3}$`, 'i');
  return z.superRefine((payload: Record<string, unknown>, context) => {
    for (const [key, value] of Object.entries(payload)) {
      if (
        pattern.test(key) &&
        value !== null &&
        (typeof value !== 'number' || !Number.isFinite(value))
      ) {
        context.addIssue({ code: 'custom', path: [key], message: 'expected a number' });
      }
    }
  });
}

const sharedCurrencyCheck = currencyAmounts(CURRENCY_PREFIXES);
const transactionCurrencyCheck = currencyAmounts(TRANSACTION_CURRENCY_PREFIXES);

/*
 * Loose objects: fields Purchasely adds tomorrow are kept on the parsed event, never stripped or rejected.
 */
function eventSchema(name: PurchaselyEventName) {
  return z
    .looseObject({ ...baseEventShape, ...EXTRA_SHAPES[name], event_name: z.literal(name) })
    .check(
      name === 'TRANSACTION_PROCESSED' ? transactionCurrencyCheck : sharedCurrencyCheck,
      dedupIdsCheck,
    );
}

const schemaByName = new Map<PurchaselyEventName, ReturnType<typeof eventSchema>>();

/**
 * The schema of one known event, built on first use and kept: a webhook needs only its own event's schema,
 * and building all 42 at import would cost every process's start-up a few milliseconds for events it may
 * never see.
 */
export function schemaForEvent(name: PurchaselyEventName) {
  let schema = schemaByName.get(name);
  if (schema === undefined) {
    schema = eventSchema(name);
    schemaByName.set(name, schema);
  }
  return schema;
}

/**
 * The zod (`zod/mini`) schema of every current Purchasely event: a discriminated union on `event_name`.
 * `parsePurchaselyEvent` is the friendlier entry point; use the schema to compose with your own zod code.
 *
 * @example
 * ```ts
 * import { purchaselyEventSchema } from '@purchasely-customerio/core';
 *
 * const result = purchaselyEventSchema.safeParse(JSON.parse(rawBody));
 * if (result.success && result.data.event_name === 'TRANSACTION_PROCESSED') {
 *   console.log(result.data.amount_in_customer_currency);
 * }
 * ```
 */
// `z.lazy`: the union (and its 42 members) is built the first time it parses, not at import.
export const purchaselyEventSchema = z.lazy(() =>
  z.discriminatedUnion(
    'event_name',
    PURCHASELY_EVENT_NAMES.map(schemaForEvent) as [
      ReturnType<typeof eventSchema>,
      ...ReturnType<typeof eventSchema>[],
    ],
  ),
) as unknown as z.ZodMiniType<PurchaselyEvent, unknown>;

/** The schema for an event name that is not in the catalog: the shared payload, any `event_name`. */
export const unknownPurchaselyEventSchema = z
  .looseObject(baseEventShape)
  .check(sharedCurrencyCheck, dedupIdsCheck) as unknown as z.ZodMiniType<
  UnknownPurchaselyEvent,
  unknown
>;
