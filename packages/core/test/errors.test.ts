import { describe, expect, it } from 'vitest';
import {
  CustomerIoNetworkError,
  CustomerIoTimeoutError,
  CustomerIoValidationError,
} from '../src/customerio/errors.js';
import { isPurchaselyCustomerIoError, PurchaselyCustomerIoError } from '../src/errors.js';
import { PurchaselyPayloadError } from '../src/events/errors.js';
import { parsePurchaselyEvent } from '../src/events/index.js';
import { PurchaselyBridgeConfigError } from '../src/mapping/errors.js';
import { PurchaselyRawBodyError, PurchaselySignatureConfigError } from '../src/signature/errors.js';

/** One instance of every SDK error class outside customerio (those are covered in customerio/errors.test.ts). */
const samples = [
  [new PurchaselyPayloadError('invalid_json', 'The body is not valid JSON.'), 'invalid_json'],
  [new PurchaselyBridgeConfigError('names.ACTIVATE', 'too long.'), 'bridge_config'],
  [new PurchaselyRawBodyError('raw body please'), 'raw_body_required'],
  [new PurchaselySignatureConfigError('secret is an empty string.'), 'signature_config'],
  [new CustomerIoValidationError('v', { field: 'f' }), 'customerio_validation'],
] as const;

describe('PurchaselyCustomerIoError, the one base of every SDK error', () => {
  it.each(samples)('%s extends it, with a stable code', (error, code) => {
    expect(error).toBeInstanceOf(PurchaselyCustomerIoError);
    expect(error).toBeInstanceOf(Error);
    expect(isPurchaselyCustomerIoError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
    expect(String(error.stack)).toContain(error.name);
    expect(Object.hasOwn(error.constructor.prototype, 'toJSON')).toBe(false);
  });

  it('serialises name, code, message and the subclass fields, without an override', () => {
    const issues = [{ path: 'store', message: 'is required' }];
    expect(
      JSON.parse(JSON.stringify(new PurchaselyPayloadError('invalid_payload', 'bad', { issues }))),
    ).toEqual({ name: 'PurchaselyPayloadError', code: 'invalid_payload', message: 'bad', issues });
    expect(
      JSON.parse(JSON.stringify(new PurchaselyBridgeConfigError('events[2]', 'unknown.'))),
    ).toEqual({
      name: 'PurchaselyBridgeConfigError',
      code: 'bridge_config',
      message: 'events[2]: unknown.',
      setting: 'events[2]',
    });
    expect(new PurchaselyRawBodyError('m').toJSON()).toEqual({
      name: 'PurchaselyRawBodyError',
      code: 'raw_body_required',
      message: 'm',
    });
  });

  it('keeps a foreign cause on the error but serialises only its name and code', () => {
    // V8's JSON.parse errors quote the body; a payload value must not reach a serialised error.
    const result = parsePurchaselyEvent('PAYLOADMARKER');
    expect(result.ok).toBe(false);
    const error = (result as { ok: false; error: PurchaselyPayloadError }).error;
    expect(error.code).toBe('invalid_json');
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(String((error.cause as Error).message)).toContain('PAYLOADMARKER');
    expect(error.toJSON().cause).toEqual({ name: 'SyntaxError' });
    expect(JSON.stringify(error)).not.toContain('PAYLOADMARKER');
  });

  it('serialises an SDK cause in full and survives a cycle of causes', () => {
    const inner = new CustomerIoTimeoutError({ method: 'GET', path: '/', timeoutMs: 5 });
    const outer = new PurchaselyBridgeConfigError('customerio', 'unusable.', { cause: inner });
    expect(outer.toJSON().cause).toEqual(inner.toJSON());

    const a = new CustomerIoNetworkError({ message: 'a', method: 'GET', path: '/a' });
    const b = new CustomerIoNetworkError({ message: 'b', method: 'GET', path: '/b', cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    expect(() => JSON.stringify(a)).not.toThrow();
  });

  it('recognises an error from another copy of the module by its brand', () => {
    // A second copy has its own class objects but the same Symbol.for brand.
    const foreign = Object.create(null) as Record<symbol, unknown>;
    foreign[Symbol.for('purchasely-customerio.PurchaselyCustomerIoError')] = true;
    expect(isPurchaselyCustomerIoError(foreign)).toBe(true);
    expect(isPurchaselyCustomerIoError(new Error('x'))).toBe(false);
    expect(isPurchaselyCustomerIoError(null)).toBe(false);
    expect(isPurchaselyCustomerIoError({ name: 'CustomerIoError' })).toBe(false);
  });
});
