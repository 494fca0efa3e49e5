import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/customerio/hash.js';
import { eventIdFor, isUlid, ulid, ulidTime } from '../../src/customerio/ulid.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('sha256', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(hex(sha256(utf8('')))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(hex(sha256(utf8('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(hex(sha256(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto on every length around the block boundaries', () => {
    for (let length = 0; length <= 200; length++) {
      const data = randomBytes(length);
      expect(hex(sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('matches node:crypto on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (data) => {
        expect(hex(sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
      }),
    );
  });
});

describe('ulid', () => {
  it('makes 26-character ULIDs whose time part is the given time', () => {
    const id = ulid(1_700_000_000_123);
    expect(id).toHaveLength(26);
    expect(isUlid(id)).toBe(true);
    expect(ulidTime(id)).toBe(1_700_000_000_123);
  });

  it('encodes the time part like the reference implementation', () => {
    // From the ULID spec's example: 1469918176385 → 01ARYZ6S41.
    expect(ulid(1_469_918_176_385).slice(0, 10)).toBe('01ARYZ6S41');
  });

  it('is random in its last 80 bits', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => ulid(0)));
    expect(ids.size).toBe(1000);
  });

  it('rejects times outside 48 bits', () => {
    expect(() => ulid(-1)).toThrow(RangeError);
    expect(() => ulid(2 ** 48)).toThrow(RangeError);
    expect(() => ulid(1.5)).toThrow(RangeError);
  });

  it('isUlid recognises ULIDs only', () => {
    expect(isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(true);
    expect(isUlid('01arz3ndektsv4rrffq69g5fav')).toBe(false); // the client sends upper case
    expect(isUlid('81ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(false); // beyond 48 bits
    expect(isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAI')).toBe(false); // I is not Crockford
    expect(isUlid('0ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(false);
    expect(isUlid('6fa459ea-ee8a-3ca4-894e-db77e160355e')).toBe(false);
    expect(isUlid(42)).toBe(false);
  });
});

describe('eventIdFor', () => {
  it('is deterministic: same key and time, same id', () => {
    const a = eventIdFor('purchasely:evt_1', 1_700_000_000_000);
    expect(eventIdFor('purchasely:evt_1', 1_700_000_000_000)).toBe(a);
    expect(isUlid(a)).toBe(true);
    expect(ulidTime(a)).toBe(1_700_000_000_000);
  });

  it('takes its random part from SHA-256 of the key', () => {
    const id = eventIdFor('abc', 0);
    // First 80 bits of SHA-256("abc") = ba7816bf8f01cfea4141, in Crockford base32.
    const bits = BigInt('0xba7816bf8f01cfea4141').toString(2).padStart(80, '0');
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    let expected = '';
    for (let i = 0; i < 80; i += 5) expected += alphabet[Number.parseInt(bits.slice(i, i + 5), 2)];
    expect(id.slice(10)).toBe(expected);
  });

  it('gives different keys different ids (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat({ max: 2 ** 47 }), (a, b, time) => {
        fc.pre(a !== b);
        expect(eventIdFor(a, time)).not.toBe(eventIdFor(b, time));
      }),
    );
  });

  it('keeps the random part when only the time changes', () => {
    const a = eventIdFor('key', 1000);
    const b = eventIdFor('key', 2000);
    expect(a).not.toBe(b);
    expect(a.slice(10)).toBe(b.slice(10));
  });
});
