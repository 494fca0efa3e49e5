import type * as z from 'zod/mini';
import type { PurchaselyEventName } from './catalog.js';
import type {
  baseEventShape,
  planChangeShape,
  transactionShape,
  transferredFromShape,
  transferredToShape,
} from './fields.js';

/** Flattens an intersection into one object type, for readable hovers and errors. */
type Simplify<T> = { [Key in keyof T]: T[Key] } & {};

type FieldsOf<Shape extends z.core.$ZodShape> = z.output<z.ZodMiniObject<Shape>>;

/** The fields every api_version 3 event carries, whatever its name. */
export type PurchaselyEventFields = Omit<FieldsOf<typeof baseEventShape>, 'event_name'>;

/**
 * Amounts keyed by the app's default integration currency, e.g. `plan_price_in_eur` or
 * `cumulated_revenues_in_usd` (tax included).
 */
export type PurchaselyCurrencyAmounts<Prefix extends string> = {
  [Key in `${Prefix}_in_${string}`]?: number | null;
};

type SharedCurrencyAmounts = PurchaselyCurrencyAmounts<'plan_price' | 'cumulated_revenues'>;

/** The fields an event carries beyond the shared ones. */
type ExtraFieldsOf<Name extends PurchaselyEventName> = Name extends
  | 'SUBSCRIPTION_TRANSFERRED'
  | 'ONE_TIME_PURCHASE_TRANSFERRED'
  ? FieldsOf<typeof transferredToShape>
  : Name extends 'SUBSCRIPTION_RECEIVED' | 'ONE_TIME_PURCHASE_RECEIVED'
    ? FieldsOf<typeof transferredFromShape>
    : Name extends 'SUBSCRIPTION_CROSSGRADED' | 'SUBSCRIPTION_DOWNGRADED' | 'SUBSCRIPTION_UPGRADED'
      ? FieldsOf<typeof planChangeShape>
      : Name extends 'TRANSACTION_PROCESSED'
        ? FieldsOf<typeof transactionShape> & PurchaselyCurrencyAmounts<'amount'>
        : unknown;

/**
 * One Purchasely event, precisely typed by its name.
 *
 * @example
 * ```ts
 * function onTransfer(event: PurchaselyEventOf<'SUBSCRIPTION_TRANSFERRED'>) {
 *   return event.transferred_to_user_id;
 * }
 * ```
 */
export type PurchaselyEventOf<Name extends PurchaselyEventName> = Simplify<
  { event_name: Name } & PurchaselyEventFields & ExtraFieldsOf<Name>
> &
  SharedCurrencyAmounts;

/**
 * Any current Purchasely server event: a union discriminated by `event_name`, so
 * `Extract<PurchaselyEvent, { event_name: 'SUBSCRIPTION_RENEWED' }>` (or a `switch` on `event_name`) gives
 * the precise type. Fields Purchasely adds later are kept on the object at runtime.
 */
export type PurchaselyEvent = {
  [Name in PurchaselyEventName]: PurchaselyEventOf<Name>;
}[PurchaselyEventName];

/**
 * An event whose name is not (yet) in this SDK's catalog. It still carries the shared fields, so it can be
 * logged, stored or forwarded; `event_name` is any string.
 */
export type UnknownPurchaselyEvent = Simplify<{ event_name: string } & PurchaselyEventFields> &
  SharedCurrencyAmounts;
