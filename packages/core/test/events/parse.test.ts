import { describe, expect, it, vi } from 'vitest';
import {
  type PurchaselyParseWarning,
  PurchaselyPayloadError,
  parsePurchaselyEvent,
} from '../../src/index.js';
import { eventFixtures, fixture, legacyV2Body } from '../fixtures.js';

function parseOk(input: unknown) {
  const result = parsePurchaselyEvent(input);
  if (!result.ok) throw new Error(`expected a parsed event, got ${result.error.message}`);
  return result;
}

function parseError(input: unknown) {
  const result = parsePurchaselyEvent(input);
  if (result.ok) throw new Error('expected a parse failure');
  return result.error;
}

describe('parsePurchaselyEvent on the published fixtures', () => {
  it.each([...eventFixtures])('parses %s as a known event, without warnings', (_file, text) => {
    const result = parseOk(text);
    expect(result.known).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(result.event).toEqual(JSON.parse(text));
  });

  it('types a renewal precisely', () => {
    const result = parseOk(eventFixtures.get('subscription-renewed.json'));
    if (!result.known || result.event.event_name !== 'SUBSCRIPTION_RENEWED')
      throw new Error('narrowing');
    expect(result.event.plan_price_in_eur).toBe(9.99);
    expect(result.event.cumulated_revenues_in_eur).toBe(69.9);
    expect(result.event.subscription_status).toBe('AUTO_RENEWING');
    expect(result.event.effective_next_renewal_at_ms).toBe(1702390991777);
  });

  it('keeps the transaction fields on TRANSACTION_PROCESSED', () => {
    const result = parseOk(eventFixtures.get('transaction-processed.json'));
    if (!result.known || result.event.event_name !== 'TRANSACTION_PROCESSED')
      throw new Error('narrowing');
    expect(result.event.amount_in_eur).toBe(9.99);
    expect(result.event.amount_in_customer_currency).toBe(9.99);
    expect(result.event.source_event_name).toBe('SUBSCRIPTION_RENEWED');
  });

  it('keeps the transfer fields on SUBSCRIPTION_TRANSFERRED', () => {
    const result = parseOk(eventFixtures.get('subscription-transferred.json'));
    if (!result.known || result.event.event_name !== 'SUBSCRIPTION_TRANSFERRED')
      throw new Error('narrowing');
    expect(result.event.transferred_to_user_id).toBe('jeff');
    expect(result.event.anonymous_user_id).toBe('6837C35A-949B-4489-B212-62F66ACA6CC2');
    expect(result.event.plan_price_in_usd).toBe(83.71);
  });

  it('reads raw bytes as well as text and already-parsed objects', () => {
    const text = eventFixtures.get('activate.json')!;
    const bytes = new TextEncoder().encode(text);
    expect(parseOk(bytes).event).toEqual(JSON.parse(text));
    expect(parseOk(bytes.buffer).event).toEqual(JSON.parse(text));
    expect(parseOk(JSON.parse(text)).event).toEqual(JSON.parse(text));
  });

  it('reads a body with a byte-order mark the same as bytes and as text (an archived body is text)', () => {
    const text = `\uFEFF${eventFixtures.get('activate.json')!}`;
    const bytes = new TextEncoder().encode(text);
    expect(parseOk(bytes).event).toEqual(parseOk(text).event);
  });
});

describe('tolerance to what Purchasely adds later', () => {
  it('keeps unknown fields', () => {
    const body = { ...fixture('activate.json'), brand_new_field: { nested: [1, 2] } };
    expect(parseOk(body).event).toMatchObject({ brand_new_field: { nested: [1, 2] } });
  });

  it('parses an unknown event name as an unknown event, with a warning', () => {
    const onWarning = vi.fn();
    const body = { ...fixture('subscription-renewed.json'), event_name: 'SUBSCRIPTION_TELEPORTED' };
    const result = parsePurchaselyEvent(body, { onWarning });
    expect(result).toMatchObject({
      ok: true,
      known: false,
      event: { event_name: 'SUBSCRIPTION_TELEPORTED' },
    });
    expect(onWarning).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'unknown_event_name', eventName: 'SUBSCRIPTION_TELEPORTED' }),
    );
  });

  it('accepts an unknown enum value as a string and reports it', () => {
    const seen: PurchaselyParseWarning[] = [];
    const body = {
      ...fixture('activate.json'),
      store: 'SAMSUNG_GALAXY_STORE',
      device_type: 'WATCH',
    };
    const result = parsePurchaselyEvent(body, { onWarning: (warning) => seen.push(warning) });
    expect(result.ok && result.event.store).toBe('SAMSUNG_GALAXY_STORE');
    const expected = [
      expect.objectContaining({
        code: 'unknown_enum_value',
        field: 'store',
        value: 'SAMSUNG_GALAXY_STORE',
      }),
      expect.objectContaining({ code: 'unknown_enum_value', field: 'device_type', value: 'WATCH' }),
    ];
    expect(seen).toEqual(expected);
    expect(result.ok && result.warnings).toEqual(expected);
  });

  it.each(['AMAZON_APPSTORE', 'AMAZON_APP_STORE', 'HUAWEI_APPGALLERY', 'HUAWEI_APP_GALLERY'])(
    'knows the store spelling %s',
    (store) => {
      expect(parseOk({ ...fixture('activate.json'), store }).warnings).toEqual([]);
    },
  );

  it('accepts null and absent optional fields', () => {
    const body: Record<string, unknown> = {
      ...fixture('activate.json'),
      store_country: null,
      plan: null,
    };
    delete body.user_id;
    delete body.subscription_status;
    expect(parseOk(body).event).toMatchObject({ store_country: null, plan: null });
  });

  it('parses a newer api_version as version 3 and warns', () => {
    const result = parseOk({ ...fixture('activate.json'), api_version: 4 });
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'unknown_api_version', apiVersion: 4 }),
    ]);
  });

  it('reads amount_in_customer_currency sent as a numeric string as a number', () => {
    const body = { ...fixture('transaction-processed.json'), amount_in_customer_currency: '-4.99' };
    expect(parseOk(body).event).toMatchObject({ amount_in_customer_currency: -4.99 });
  });
});

describe('refused bodies', () => {
  it('refuses a legacy api_version 2 body, saying to switch the webhook to v3', () => {
    // The published legacy sample is truncated; complete it so the JSON is valid.
    const error = parseError(`${legacyV2Body}}`);
    expect(error).toBeInstanceOf(PurchaselyPayloadError);
    expect(error.code).toBe('legacy_api_version');
    expect(error.message).toMatch(/api_version 2/);
    expect(error.message).toMatch(/Purchasely console.*Webhooks.*3/);
  });

  it('refuses a v2-shaped body that lacks api_version as legacy too', () => {
    expect(parseError({ name: 'PURCHASE_VALIDATED', properties: {} }).code).toBe(
      'legacy_api_version',
    );
  });

  it('refuses the truncated legacy sample as invalid JSON', () => {
    expect(parseError(legacyV2Body).code).toBe('invalid_json');
  });

  it.each([
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"ACTIVATE"'],
  ])('refuses %s with a clear error', (kind, body) => {
    const error = parseError(body);
    expect(error.code).toBe('not_an_object');
    expect(error.message).toContain(kind);
  });

  it.each([
    ['empty', '', /empty/],
    ['not JSON', 'event_name=ACTIVATE', /not valid JSON/],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), /UTF-8/],
  ])('refuses a body that is %s', (_kind, body, message) => {
    const error = parseError(body);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toMatch(message);
  });

  it.each([undefined, 123, true])('refuses a non-object input %s', (input) => {
    expect(parseError(input).code).toBe('not_an_object');
  });

  it('refuses a body without event_name', () => {
    const body = fixture('activate.json');
    delete body.event_name;
    expect(parseError(body)).toMatchObject({
      code: 'invalid_payload',
      issues: [{ path: 'event_name' }],
    });
  });

  it.each([
    ['no api_version', undefined, 'invalid_payload'],
    ['api_version 1', 1, 'unsupported_api_version'],
    ['api_version "3"', '3', 'unsupported_api_version'],
  ])('refuses %s', (_label, apiVersion, code) => {
    const body = { ...fixture('activate.json'), api_version: apiVersion };
    expect(parseError(body).code).toBe(code);
  });

  it('names every missing required field and wrong type, without echoing values', () => {
    const body: Record<string, unknown> = {
      ...fixture('activate.json'),
      purchased_at_ms: 'secret-looking-value',
      user_id: 12,
    };
    delete body.event_created_at_ms;
    const error = parseError(body);
    expect(error.code).toBe('invalid_payload');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'event_created_at_ms', message: 'is required' },
        { path: 'purchased_at_ms', message: 'expected number' },
        { path: 'user_id', message: 'expected string' },
      ]),
    );
    expect(error.message).toContain('ACTIVATE');
    expect(error.message).not.toContain('secret-looking-value');
  });

  it('refuses a currency-keyed amount that is not a number', () => {
    const body = { ...fixture('activate.json'), plan_price_in_usd: '9.99' };
    expect(parseError(body).issues).toEqual([
      { path: 'plan_price_in_usd', message: 'expected a number' },
    ]);
  });

  it('checks amount_in_<cur> on TRANSACTION_PROCESSED only', () => {
    const transaction = { ...fixture('transaction-processed.json'), amount_in_usd: 'lots' };
    expect(parseError(transaction).issues).toEqual([
      { path: 'amount_in_usd', message: 'expected a number' },
    ]);
    expect(parseOk({ ...fixture('activate.json'), amount_in_usd: 'lots' }).known).toBe(true);
  });

  it('refuses an event-specific field of the wrong type on that event', () => {
    const body = { ...fixture('subscription-transferred.json'), transferred_to_user_id: 7 };
    expect(parseError(body).issues).toEqual([
      { path: 'transferred_to_user_id', message: 'expected string' },
    ]);
  });
});
