import { describe, expectTypeOf, it } from 'vitest';
import {
  type ParsePurchaselyEventResult,
  type PurchaselyEnvironment,
  type PurchaselyEvent,
  type PurchaselyEventName,
  type PurchaselyEventNameIn,
  type PurchaselyEventOf,
  type PurchaselyStore,
  parsePurchaselyEvent,
  type UnknownPurchaselyEvent,
} from '../../src/index.js';

type Renewed = Extract<PurchaselyEvent, { event_name: 'SUBSCRIPTION_RENEWED' }>;
type Transaction = Extract<PurchaselyEvent, { event_name: 'TRANSACTION_PROCESSED' }>;
type Transferred = Extract<PurchaselyEvent, { event_name: 'SUBSCRIPTION_TRANSFERRED' }>;
type Received = Extract<PurchaselyEvent, { event_name: 'ONE_TIME_PURCHASE_RECEIVED' }>;
type Upgraded = Extract<PurchaselyEvent, { event_name: 'SUBSCRIPTION_UPGRADED' }>;

describe('the PurchaselyEvent union', () => {
  it('is discriminated by event_name, one member per catalog name', () => {
    expectTypeOf<PurchaselyEvent['event_name']>().toEqualTypeOf<PurchaselyEventName>();
    expectTypeOf<Renewed['event_name']>().toEqualTypeOf<'SUBSCRIPTION_RENEWED'>();
    expectTypeOf<Renewed>().toEqualTypeOf<PurchaselyEventOf<'SUBSCRIPTION_RENEWED'>>();
    expectTypeOf<Extract<PurchaselyEvent, { event_name: 'NOT_AN_EVENT' }>>().toBeNever();
  });

  it('types the shared fields', () => {
    expectTypeOf<Renewed['api_version']>().toEqualTypeOf<number>();
    expectTypeOf<Renewed['event_created_at_ms']>().toEqualTypeOf<number>();
    expectTypeOf<Renewed['environment']>().toEqualTypeOf<PurchaselyEnvironment>();
    expectTypeOf<Renewed['user_id']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Renewed['is_family_shared']>().toEqualTypeOf<boolean | null | undefined>();
    expectTypeOf<Renewed['store']>().toEqualTypeOf<PurchaselyStore | null | undefined>();
    expectTypeOf<'APPLE_APP_STORE'>().toExtend<Renewed['store']>();
  });

  it('types every field delivery does not need as absent or null', () => {
    // The dedup ids: event_id, or (checked at runtime) both store transaction ids when it is absent.
    expectTypeOf<Renewed['event_id']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Renewed['store_transaction_id']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Renewed['store_original_transaction_id']>().toEqualTypeOf<
      string | null | undefined
    >();
    expectTypeOf<Renewed['event_created_at']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Renewed['store_app_bundle_id']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Renewed['store_product_id']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Renewed['product']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Renewed['purchased_at']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Renewed['purchased_at_ms']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<Renewed['original_purchased_at']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Renewed['original_purchased_at_ms']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<UnknownPurchaselyEvent['store']>().toEqualTypeOf<
      PurchaselyStore | null | undefined
    >();
    expectTypeOf<'A_STORE_FROM_TOMORROW'>().toExtend<Renewed['store']>();
  });

  it('types currency-keyed amounts with template-literal keys', () => {
    expectTypeOf<Renewed['plan_price_in_eur']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<Renewed['cumulated_revenues_in_usd']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<Transaction['amount_in_jpy']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<Renewed>().not.toHaveProperty('amount_in_customer_currency');
  });

  it('puts event-specific fields on their own events only', () => {
    expectTypeOf<Transaction['amount_in_customer_currency']>().toEqualTypeOf<
      number | null | undefined
    >();
    expectTypeOf<NonNullable<Transaction['source_event_name']>>().toExtend<string>();
    expectTypeOf<Transferred['transferred_to_user_id']>().toEqualTypeOf<
      string | null | undefined
    >();
    expectTypeOf<Received['transferred_from_anonymous_user_id']>().toEqualTypeOf<
      string | null | undefined
    >();
    expectTypeOf<Upgraded['previous_plan']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Upgraded>().not.toHaveProperty('transferred_to_user_id');
    expectTypeOf<Transferred>().not.toHaveProperty('previous_plan');
    expectTypeOf<Renewed>().not.toHaveProperty('source_event_name');
  });

  it('narrows in a switch', () => {
    const handle = (event: PurchaselyEvent) => {
      switch (event.event_name) {
        case 'SUBSCRIPTION_TRANSFERRED':
          expectTypeOf(event).toEqualTypeOf<Transferred>();
          return event.transferred_to_user_id;
        case 'TRANSACTION_PROCESSED':
          expectTypeOf(event).toEqualTypeOf<Transaction>();
          return event.source_event_name;
        default:
          return undefined;
      }
    };
    expectTypeOf(handle).returns.toEqualTypeOf<string | null | undefined>();
  });

  it('groups names by family', () => {
    expectTypeOf<PurchaselyEventNameIn<'entitlement'>>().toEqualTypeOf<'ACTIVATE' | 'DEACTIVATE'>();
    expectTypeOf<PurchaselyEventNameIn<'transactional'>>().toEqualTypeOf<'TRANSACTION_PROCESSED'>();
  });
});

describe('parsePurchaselyEvent', () => {
  it('returns a discriminated result', () => {
    const result = parsePurchaselyEvent('{}');
    expectTypeOf(result).toEqualTypeOf<ParsePurchaselyEventResult>();
    if (result.ok && result.known) expectTypeOf(result.event).toEqualTypeOf<PurchaselyEvent>();
    if (result.ok && !result.known)
      expectTypeOf(result.event).toEqualTypeOf<UnknownPurchaselyEvent>();
    if (!result.ok) expectTypeOf(result.error.code).toExtend<string>();
  });

  it('keeps unknown events out of the known union', () => {
    expectTypeOf<UnknownPurchaselyEvent['event_name']>().toEqualTypeOf<string>();
    expectTypeOf<UnknownPurchaselyEvent>().not.toExtend<PurchaselyEvent>();
  });
});
