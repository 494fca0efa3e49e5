import { describe, expect, it } from 'vitest';
import { CustomerIoRegionError, CustomerIoValidationError } from '../../src/customerio/errors.js';
import { MAX_REDIRECTS, resolveRedirect } from '../../src/customerio/redirects.js';
import {
  isCustomerIoHost,
  normalizeRegion,
  resolveTrackBaseUrl,
  TRACK_REGIONS,
} from '../../src/customerio/regions.js';

describe('resolveTrackBaseUrl', () => {
  it('maps regions to the Track hosts', () => {
    expect(resolveTrackBaseUrl({ region: 'us' })).toBe('https://track.customer.io');
    expect(resolveTrackBaseUrl({ region: 'eu' })).toBe('https://track-eu.customer.io');
    expect(TRACK_REGIONS).toEqual({
      us: 'https://track.customer.io',
      eu: 'https://track-eu.customer.io',
    });
  });

  it("returns undefined for 'auto': a lookup is needed", () => {
    expect(resolveTrackBaseUrl({ region: 'auto' })).toBeUndefined();
  });

  it('lets an explicit baseUrl win over the region, trailing slashes trimmed', () => {
    expect(resolveTrackBaseUrl({ region: 'eu', baseUrl: 'http://127.0.0.1:4010/' })).toBe(
      'http://127.0.0.1:4010',
    );
    expect(resolveTrackBaseUrl({ region: 'auto', baseUrl: 'https://proxy.example/cio//' })).toBe(
      'https://proxy.example/cio',
    );
  });

  it('normalises region strings', () => {
    expect(normalizeRegion(' EU ')).toBe('eu');
    expect(normalizeRegion('track-eu.customer.io')).toBe('eu');
    expect(normalizeRegion('US')).toBe('us');
    expect(() => normalizeRegion('ap')).toThrow(CustomerIoValidationError);
    expect(() => normalizeRegion(undefined)).toThrow(/'us', 'eu' or 'auto'/);
  });

  it('rejects unusable base URLs', () => {
    expect(() => resolveTrackBaseUrl({ region: 'us', baseUrl: 'track.customer.io' })).toThrow(
      CustomerIoValidationError,
    );
    expect(() => resolveTrackBaseUrl({ region: 'us', baseUrl: 'ftp://x.customer.io' })).toThrow(
      /https/,
    );
    expect(() =>
      resolveTrackBaseUrl({ region: 'us', baseUrl: 'https://site:key@track.customer.io' }),
    ).toThrow(/credentials/);
  });

  it('recognises customer.io hosts only', () => {
    expect(isCustomerIoHost('track-eu.customer.io')).toBe(true);
    expect(isCustomerIoHost('customer.io')).toBe(true);
    expect(isCustomerIoHost('TRACK.CUSTOMER.IO')).toBe(true);
    expect(isCustomerIoHost('customer.io.evil.com')).toBe(false);
    expect(isCustomerIoHost('evilcustomer.io')).toBe(false);
  });
});

describe('resolveRedirect', () => {
  const base = {
    status: 301,
    currentUrl: 'https://track.customer.io/api/v1/customers/1/events',
    method: 'POST',
    path: '/api/v1/customers/1/events',
    hops: 0,
    trustedOrigin: undefined,
  };

  it('follows to an https *.customer.io host', () => {
    expect(
      resolveRedirect({
        ...base,
        location: 'https://track-eu.customer.io/api/v1/customers/1/events',
      }),
    ).toBe('https://track-eu.customer.io/api/v1/customers/1/events');
  });

  it('resolves a relative Location against the current URL', () => {
    expect(resolveRedirect({ ...base, status: 308, location: '/api/v1/other' })).toBe(
      'https://track.customer.io/api/v1/other',
    );
  });

  it("follows to the configured baseUrl's own origin (a local emulator)", () => {
    expect(
      resolveRedirect({
        ...base,
        currentUrl: 'http://127.0.0.1:4010/api/v1/x',
        location: 'http://127.0.0.1:4010/api/v1/y',
        trustedOrigin: 'http://127.0.0.1:4010',
      }),
    ).toBe('http://127.0.0.1:4010/api/v1/y');
  });

  it.each([
    'https://evil.example/api/v1/customers/1/events',
    'http://track-eu.customer.io/api/v1/customers/1/events',
    'https://customer.io.evil.example/',
    'http://127.0.0.1:4011/api',
  ])('refuses %s', (location) => {
    const error = (() => {
      try {
        resolveRedirect({ ...base, location, trustedOrigin: 'http://127.0.0.1:4010' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CustomerIoRegionError);
    expect((error as Error).message).toMatch(/refusing to follow/);
    // Only the target's origin is named, never its path (which could carry anything).
    expect((error as CustomerIoRegionError).location).toBe(new URL(location).origin);
    expect((error as Error).message).not.toContain(`${new URL(location).origin}/`);
  });

  it('stops at the hop limit and names the setting', () => {
    expect(MAX_REDIRECTS).toBe(3);
    expect(() =>
      resolveRedirect({
        ...base,
        hops: 3,
        location: 'https://track-eu.customer.io/api/v1/customers/1/events',
      }),
    ).toThrow(/this workspace is in the EU region: set region: 'eu' \(or 'auto'\)/);
  });

  it('fails without a Location header', () => {
    expect(() => resolveRedirect({ ...base, location: null })).toThrow(CustomerIoRegionError);
  });
});
