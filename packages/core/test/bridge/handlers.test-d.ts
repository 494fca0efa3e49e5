import { describe, expectTypeOf, it } from 'vitest';
import {
  createPurchaselyBridge,
  type PurchaselyBridge,
  type PurchaselyEventName,
  type PurchaselyEventOf,
} from '../../src/index.js';

declare const bridge: PurchaselyBridge;

describe('on() handler types', () => {
  it('receives the precise event type', () => {
    bridge.on('SUBSCRIPTION_TRANSFERRED', (event) => {
      expectTypeOf(event).toEqualTypeOf<PurchaselyEventOf<'SUBSCRIPTION_TRANSFERRED'>>();
      expectTypeOf(event.event_name).toEqualTypeOf<'SUBSCRIPTION_TRANSFERRED'>();
      expectTypeOf(event).toHaveProperty('transferred_to_user_id');
      // Typed (a string when present), not `unknown`.
      expectTypeOf(event.transferred_to_user_id).toExtend<string | null | undefined>();
      expectTypeOf<string>().toExtend<typeof event.transferred_to_user_id>();
      expectTypeOf(event.transferred_to_user_id).not.toBeUnknown();
    });
    bridge.on('TRANSACTION_PROCESSED', (event) => {
      expectTypeOf(event).toEqualTypeOf<PurchaselyEventOf<'TRANSACTION_PROCESSED'>>();
    });
  });

  it('is chainable and refuses unknown names and wrong handlers', () => {
    expectTypeOf(bridge.on('ACTIVATE', () => {})).toEqualTypeOf<PurchaselyBridge>();
    expectTypeOf(bridge.on<'ACTIVATE'>)
      .parameter(0)
      .toEqualTypeOf<'ACTIVATE'>();
    // @ts-expect-error not a Purchasely event
    bridge.on('NOT_AN_EVENT', () => {});
    // @ts-expect-error ACTIVATE has no transferred_to_user_id
    bridge.on('ACTIVATE', (event) => event.transferred_to_user_id);
    expectTypeOf(createPurchaselyBridge).returns.toEqualTypeOf<PurchaselyBridge>();
    expectTypeOf<'SUBSCRIPTION_TRANSFERRED'>().toExtend<PurchaselyEventName>();
  });
});
