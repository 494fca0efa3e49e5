import type { PurchaselyBridge } from '@purchasely-customerio/core';
import type * as Express5 from 'express';
import type * as Express4 from 'express4';
import { describe, expectTypeOf, it } from 'vitest';
import { purchaselyWebhook } from '../src/express.js';
import { purchaselyWebhook as fetchWebhook } from '../src/fetch.js';
import { purchaselyWebhook as honoWebhook } from '../src/hono.js';

declare const bridge: PurchaselyBridge;

describe('adapter types', () => {
  it('gives Express 4 and 5 a RequestHandler', () => {
    expectTypeOf(purchaselyWebhook(bridge)).toExtend<Express5.RequestHandler>();
    expectTypeOf(purchaselyWebhook(bridge)).toExtend<Express4.RequestHandler>();
  });

  it('gives fetch runtimes a Request → Response function', () => {
    expectTypeOf(fetchWebhook(bridge)).toEqualTypeOf<(request: Request) => Promise<Response>>();
  });

  it('gives Hono a handler', () => {
    expectTypeOf(honoWebhook(bridge)).parameter(0).toHaveProperty('req');
    expectTypeOf(honoWebhook(bridge)).returns.toEqualTypeOf<Promise<Response>>();
  });

  it('accepts the configuration instead of a bridge', () => {
    expectTypeOf(purchaselyWebhook).parameter(0).toExtend<object>();
    // @ts-expect-error a configuration needs webhookSecret and customerio
    purchaselyWebhook({ names: {} });
  });
});
