import {
  PURCHASELY_EVENT_NAMES,
  parsePurchaselyEvent,
  verifyPurchaselySignature,
} from '@purchasely-customerio/core';
import { describe, expect, it } from 'vitest';
import { purchaselyEvent, signedPurchaselyRequest, signedPurchaselyWebhook } from '../src/index.js';

describe('purchaselyEvent', () => {
  it.each(PURCHASELY_EVENT_NAMES)(
    'builds a %s that the parser accepts without warnings',
    (name) => {
      const result = parsePurchaselyEvent(JSON.stringify(purchaselyEvent(name)));
      expect(result).toMatchObject({
        ok: true,
        known: true,
        warnings: [],
        event: { event_name: name },
      });
    },
  );

  it('applies overrides and keeps the date twins consistent', () => {
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', {
      user_id: 'user-42',
      event_created_at_ms: 1_700_000_000_000,
    });
    expect(event.user_id).toBe('user-42');
    expect(event.event_created_at).toBe('2023-11-14T22:13:20.000Z');
    expect(Date.parse(event.purchased_at ?? '')).toBe(event.purchased_at_ms);
  });

  // Its TSDoc promises PRODUCTION: the bridge ignores SANDBOX events by default, so a factory event must be
  // one the bridge forwards; the sandbox is one override away.
  it('builds a PRODUCTION event unless told otherwise', () => {
    expect(purchaselyEvent('SUBSCRIPTION_RENEWED').environment).toBe('PRODUCTION');
    expect(purchaselyEvent('TRIAL_STARTED', { environment: 'SANDBOX' }).environment).toBe(
      'SANDBOX',
    );
  });

  it('gives every event its own event_id', () => {
    expect(purchaselyEvent('TRIAL_STARTED').event_id).not.toBe(
      purchaselyEvent('TRIAL_STARTED').event_id,
    );
  });
});

describe('signed webhooks', () => {
  it('signs a payload so that the verifier accepts it', async () => {
    const webhook = await signedPurchaselyWebhook({
      secret: 's3cret',
      body: purchaselyEvent('ACTIVATE'),
    });
    const verification = await verifyPurchaselySignature({ ...webhook, secret: 's3cret' });
    expect(verification.ok).toBe(true);
    expect(webhook.headers['content-type']).toBe('application/json');
  });

  it('sends a raw body byte for byte', async () => {
    const webhook = await signedPurchaselyWebhook({
      secret: 's',
      body: '{"a":1}',
      timestamp: 1698322022,
    });
    expect(webhook.body).toBe('{"a":1}');
    expect(webhook.headers['x-purchasely-timestamp']).toBe('1698322022');
  });

  it('builds a fetch Request', async () => {
    const request = await signedPurchaselyRequest({ secret: 's', body: { a: 1 } });
    expect(request.method).toBe('POST');
    const verification = await verifyPurchaselySignature({
      body: await request.arrayBuffer(),
      headers: request.headers,
      secret: 's',
    });
    expect(verification.ok).toBe(true);
  });
});
