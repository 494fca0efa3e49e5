import { describe, expect, it } from 'vitest';
import { CustomerIoValidationError } from '../../src/customerio/errors.js';
import {
  personPathSegment,
  stripCioPrefix,
  toV2Identifiers,
} from '../../src/customerio/identifiers.js';
import {
  buildAddDevice,
  buildDeleteDevice,
  buildIdentify,
  buildMergeCustomers,
  buildTrack,
  buildTrackAnonymous,
} from '../../src/customerio/track-v1.js';
import { normalizeOperation, prepareOperation } from '../../src/customerio/track-v2.js';
import type { TrackV2Operation } from '../../src/customerio/types.js';
import { isUlid } from '../../src/customerio/ulid.js';

const body = (request: { body?: string }) => JSON.parse(request.body ?? 'null');

describe('identifiers', () => {
  it('percent-encodes v1 path segments', () => {
    expect(personPathSegment('a+b@example.com')).toBe('a%2Bb%40example.com');
    expect(personPathSegment('a/b c&d')).toBe('a%2Fb%20c%26d');
    expect(personPathSegment({ email: 'x@y.z' })).toBe('x%40y.z');
  });

  it('writes cio_<value> in v1 paths, with or without the prefix given', () => {
    expect(personPathSegment({ cio_id: '03000001' })).toBe('cio_03000001');
    expect(personPathSegment({ cio_id: 'cio_03000001' })).toBe('cio_03000001');
  });

  it('strips the cio_ prefix on v2', () => {
    expect(toV2Identifiers({ cio_id: 'cio_03000001' })).toEqual({ cio_id: '03000001' });
    expect(toV2Identifiers({ cio_id: '03000001' })).toEqual({ cio_id: '03000001' });
    expect(toV2Identifiers('user-1')).toEqual({ id: 'user-1' });
    expect(toV2Identifiers({ phone: '+33600000000' })).toEqual({ phone: '+33600000000' });
    expect(stripCioPrefix('cio_x')).toBe('x');
  });

  it('requires exactly one identifier', () => {
    expect(() => personPathSegment({ id: 'a', email: 'b' } as never)).toThrow(/exactly one/);
    expect(() => personPathSegment({} as never)).toThrow(CustomerIoValidationError);
    expect(() => personPathSegment({ phone: '+1' } as never)).toThrow(CustomerIoValidationError);
    expect(() => toV2Identifiers({ cio_id: 'cio_' })).toThrow(/empty/);
  });
});

describe('v1 builders', () => {
  it('identify adds _timestamp and _update', () => {
    const request = buildIdentify(
      { email: 'a@b.c' },
      { plan: 'pro' },
      { timestamp: 1_700_000_000, update: true },
    );
    expect(request).toMatchObject({ method: 'PUT', path: '/api/v1/customers/a%40b.c' });
    expect(body(request)).toEqual({ plan: 'pro', _timestamp: 1_700_000_000, _update: true });
  });

  it('track generates a ULID id, or keeps the caller’s', () => {
    const generated = buildTrack('u', { name: 'purchase' });
    expect(isUlid(body(generated).id)).toBe(true);
    expect(generated.eventId).toBe(body(generated).id);
    const given = buildTrack('u', {
      name: 'purchase',
      id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      timestamp: 1_700_000_000,
      data: { a: 1 },
    });
    expect(body(given)).toEqual({
      name: 'purchase',
      id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      timestamp: 1_700_000_000,
      data: { a: 1 },
    });
  });

  it('rejects a non-ULID event id', () => {
    expect(() =>
      buildTrack('u', { name: 'x', id: '6fa459ea-ee8a-3ca4-894e-db77e160355e' }),
    ).toThrow(/ULID/);
  });

  it('trackAnonymous sends anonymous_id, or none for an invite', () => {
    expect(body(buildTrackAnonymous('anon-1', { name: 'viewed' }))).toMatchObject({
      anonymous_id: 'anon-1',
    });
    expect(
      body(buildTrackAnonymous('', { name: 'invite', data: { recipient: 'a@b.c' } })),
    ).not.toHaveProperty('anonymous_id');
  });

  it('addDevice sends the token as device.id', () => {
    const request = buildAddDevice('u', { token: 'tok', platform: 'ios', lastUsed: 1_700_000_000 });
    expect(body(request)).toEqual({
      device: { id: 'tok', platform: 'ios', last_used: 1_700_000_000 },
    });
    expect(() => buildAddDevice('u', { token: 'tok', platform: 'web' as never })).toThrow(
      /platform/,
    );
    expect(buildDeleteDevice('u', 'a/b').path).toBe('/api/v1/customers/u/devices/a%2Fb');
  });

  it('merge strips cio_ and takes exactly one key each side', () => {
    expect(body(buildMergeCustomers({ id: 'a' }, { cio_id: 'cio_9' }))).toEqual({
      primary: { id: 'a' },
      secondary: { cio_id: '9' },
    });
    expect(() => buildMergeCustomers({ id: 'a', email: 'b' } as never, { id: 'c' })).toThrow(
      /primary/,
    );
  });
});

describe('v2 operations', () => {
  it('add an event id and strip cio_ without touching the caller’s object', () => {
    const op: TrackV2Operation = {
      type: 'person',
      action: 'event',
      identifiers: { cio_id: 'cio_abc' },
      name: 'renewed',
    };
    const normalized = normalizeOperation(op, 'operation');
    expect(normalized).toMatchObject({ identifiers: { cio_id: 'abc' }, name: 'renewed' });
    expect(isUlid((normalized as { id: string }).id)).toBe(true);
    expect(op).not.toHaveProperty('id');
  });

  it('name the offending field and index', () => {
    try {
      prepareOperation(
        {
          type: 'person',
          action: 'identify',
          identifiers: { id: 'u' },
          attributes: { ['k'.repeat(151)]: 1 },
        },
        { index: 4, field: 'batch[4]', maxBytes: 32 * 1024, limitText: '' },
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CustomerIoValidationError);
      expect((error as CustomerIoValidationError).index).toBe(4);
      expect((error as CustomerIoValidationError).field).toMatch(/^batch\[4\]\.attributes\./);
    }
  });

  it('serialise each operation once, and name event data over its own limit', () => {
    const event = (bytes: number): TrackV2Operation => ({
      type: 'person',
      action: 'event',
      identifiers: { id: 'u' },
      name: 'e',
      attributes: { blob: 'x'.repeat(bytes) },
    });
    const options = { index: 0, field: 'batch[0]', maxBytes: 32 * 1024, limitText: '' };
    const prepared = prepareOperation(event(10), options);
    expect(JSON.parse(prepared.json)).toEqual(prepared.operation);
    expect(prepared.bytes).toBe(new TextEncoder().encode(prepared.json).byteLength);
    const overOperation = (() => {
      try {
        prepareOperation(event(40_000), options);
      } catch (error) {
        return error as CustomerIoValidationError;
      }
    })();
    expect(overOperation).toMatchObject({ field: 'batch[0]', limit: 32 * 1024 });
    const overData = (() => {
      try {
        prepareOperation(event(100_000), options);
      } catch (error) {
        return error as CustomerIoValidationError;
      }
    })();
    expect(overData).toMatchObject({ field: 'batch[0].attributes', limit: 100_000, index: 0 });
  });

  it('reject unknown types and actions', () => {
    expect(() => normalizeOperation({ type: 'object' } as never, 'op')).toThrow(/person/);
    expect(() =>
      normalizeOperation(
        { type: 'person', action: 'fly', identifiers: { id: 'u' } } as never,
        'op',
      ),
    ).toThrow(/action/);
  });
});
