import { describe, expect, it } from 'vitest';
import { CustomerIoValidationError } from '../../src/customerio/errors.js';
import {
  assertAttributes,
  assertEventData,
  assertEventName,
  assertIdentifier,
  assertTimestamp,
  jsonByteLength,
  TRACK_LIMITS,
  utf8ByteLength,
} from '../../src/customerio/limits.js';

/** Runs `fn` and returns the validation error it throws. */
function validationError(fn: () => void): CustomerIoValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CustomerIoValidationError);
    return error as CustomerIoValidationError;
  }
  throw new Error('expected a CustomerIoValidationError');
}

describe('utf8ByteLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    ['a😀b', 6],
    ['\ud800', 3], // a lone surrogate encodes as U+FFFD
  ])('%j is %i bytes, like TextEncoder', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
    expect(new TextEncoder().encode(text).byteLength).toBe(bytes);
  });

  it('measures JSON by its UTF-8 text', () => {
    expect(jsonByteLength({ a: 'é' })).toBe(new TextEncoder().encode('{"a":"é"}').byteLength);
    expect(jsonByteLength(undefined)).toBe(0);
  });
});

describe('identifiers', () => {
  it('accepts exactly 150 bytes and rejects 151', () => {
    expect(() => assertIdentifier('x'.repeat(150), 'person')).not.toThrow();
    const error = validationError(() => assertIdentifier('x'.repeat(151), 'person'));
    expect(error.field).toBe('person');
    expect(error.limit).toBe(150);
    expect(error.actual).toBe(151);
  });

  it('counts UTF-8 bytes, not characters', () => {
    // 75 two-byte characters = 150 bytes; 76 = 152.
    expect(() => assertIdentifier('é'.repeat(75), 'id')).not.toThrow();
    expect(validationError(() => assertIdentifier('é'.repeat(76), 'id')).actual).toBe(152);
  });

  it('rejects empty, blank and non-string values', () => {
    expect(validationError(() => assertIdentifier('', 'id')).field).toBe('id');
    expect(validationError(() => assertIdentifier('  ', 'id')).field).toBe('id');
    expect(validationError(() => assertIdentifier(42, 'id')).message).toMatch(/string/);
  });
});

describe('attributes', () => {
  it('allows 300 attributes and rejects 301', () => {
    const attrs = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, i]));
    expect(() => assertAttributes(attrs(300), 'attributes')).not.toThrow();
    const error = validationError(() => assertAttributes(attrs(301), 'attributes'));
    expect(error).toMatchObject({ field: 'attributes', limit: 300, actual: 301 });
  });

  it('does not count control keys or undefined values against the 300', () => {
    const attrs: Record<string, unknown> = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`a${i}`, i]),
    );
    attrs._timestamp = 1_700_000_000;
    attrs._update = true;
    attrs.cio_relationships = [];
    attrs.dropped = undefined;
    expect(() => assertAttributes(attrs, 'attributes')).not.toThrow();
  });

  it('limits attribute names to 150 bytes', () => {
    const error = validationError(() => assertAttributes({ ['n'.repeat(151)]: 1 }, 'attributes'));
    expect(error.limit).toBe(150);
    expect(error.field.startsWith('attributes.nnn')).toBe(true);
  });

  it('limits string values by UTF-8 bytes and others by JSON size', () => {
    expect(() => assertAttributes({ s: 'x'.repeat(1000) }, 'attributes')).not.toThrow();
    expect(
      validationError(() => assertAttributes({ s: '€'.repeat(334) }, 'attributes')),
    ).toMatchObject({
      field: 'attributes.s',
      limit: 1000,
      actual: 1002,
    });
    const list = Array.from({ length: 200 }, () => 'abcd'); // ~1,401 JSON bytes
    expect(validationError(() => assertAttributes({ list }, 'attributes')).field).toBe(
      'attributes.list',
    );
  });

  it('rejects a created_at or _timestamp in milliseconds', () => {
    const error = validationError(() =>
      assertAttributes({ created_at: 1_700_000_000_000 }, 'attributes'),
    );
    expect(error.field).toBe('attributes.created_at');
    expect(error.message).toMatch(/divide by 1000/);
    expect(validationError(() => assertAttributes({ _timestamp: 1.5 }, 'a')).field).toBe(
      'a._timestamp',
    );
  });

  it('requires a plain object', () => {
    expect(validationError(() => assertAttributes([], 'attributes')).field).toBe('attributes');
    expect(validationError(() => assertAttributes(null, 'attributes')).field).toBe('attributes');
  });
});

describe('event name and data', () => {
  it('requires a non-blank name of at most 100 bytes', () => {
    expect(() => assertEventName('n'.repeat(100), 'event.name')).not.toThrow();
    expect(validationError(() => assertEventName('n'.repeat(101), 'event.name'))).toMatchObject({
      field: 'event.name',
      limit: 100,
      actual: 101,
    });
    expect(validationError(() => assertEventName('   ', 'event.name')).message).toMatch(/empty/);
  });

  it('measures the name after trimming, as Customer.io does', () => {
    expect(() => assertEventName(`  ${'n'.repeat(100)}  `, 'event.name')).not.toThrow();
  });

  it('limits data to 100,000 JSON bytes and requires an object', () => {
    const overhead = jsonByteLength({ x: '' });
    expect(() =>
      assertEventData({ x: 'y'.repeat(TRACK_LIMITS.eventDataBytes - overhead) }, 'event.data'),
    ).not.toThrow();
    expect(
      validationError(() =>
        assertEventData(
          { x: 'y'.repeat(TRACK_LIMITS.eventDataBytes - overhead + 1) },
          'event.data',
        ),
      ),
    ).toMatchObject({ field: 'event.data', limit: 100_000, actual: 100_001 });
    expect(validationError(() => assertEventData('hello', 'event.data')).message).toMatch(/object/);
  });
});

describe('timestamps', () => {
  it('accepts integer unix seconds', () => {
    expect(() => assertTimestamp(0, 't')).not.toThrow();
    expect(() => assertTimestamp(1_700_000_000, 't')).not.toThrow();
    expect(() => assertTimestamp(9_999_999_999, 't')).not.toThrow();
  });

  it('rejects milliseconds with advice to divide by 1000', () => {
    for (const value of [1e10, 1_700_000_000_000, Date.now()]) {
      const error = validationError(() => assertTimestamp(value, 'event.timestamp'));
      expect(error.field).toBe('event.timestamp');
      expect(error.message).toMatch(/milliseconds/);
      expect(error.message).toMatch(/divide by 1000/);
    }
  });

  it('rejects fractions, negatives and non-numbers', () => {
    expect(() => assertTimestamp(1.5, 't')).toThrow(CustomerIoValidationError);
    expect(() => assertTimestamp(-1, 't')).toThrow(CustomerIoValidationError);
    expect(() => assertTimestamp(Number.NaN, 't')).toThrow(CustomerIoValidationError);
    expect(() => assertTimestamp('1700000000', 't')).toThrow(CustomerIoValidationError);
  });
});
