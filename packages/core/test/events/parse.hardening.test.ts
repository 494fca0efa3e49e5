import { afterEach, describe, expect, it, vi } from 'vitest';
import { EPOCH_MS_MAX, EPOCH_MS_MIN } from '../../src/events/fields.js';
import { MAX_NESTING_DEPTH } from '../../src/events/parse.js';
import { parsePurchaselyEvent } from '../../src/index.js';
import { fixture } from '../fixtures.js';

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

/** The least a body needs to be delivered: version, name, time, environment and a dedup id. */
const minimal = {
  api_version: 3,
  event_name: 'ACTIVATE',
  event_id: '5e45109f-7fac-45f8-a7e4-464892d5d35d',
  event_created_at_ms: 1702390766120,
  environment: 'SANDBOX',
};

const withoutEventId = {
  ...minimal,
  event_id: undefined,
  store_transaction_id: 'GPA.3355-5688-7970-28037..5',
  store_original_transaction_id: 'GPA.3355-5688-7970-28037',
};

/** Every field the schema required before, though Purchasely's attribute table or samples leave it out. */
const FORMERLY_REQUIRED = [
  'event_created_at',
  'store',
  'store_app_bundle_id',
  'store_product_id',
  'store_transaction_id',
  'store_original_transaction_id',
  'product',
  'purchased_at',
  'purchased_at_ms',
  'original_purchased_at',
  'original_purchased_at_ms',
] as const;

const EPOCH_FIELDS = [
  'event_created_at_ms',
  'purchased_at_ms',
  'original_purchased_at_ms',
  'next_renewal_at_ms',
  'effective_next_renewal_at_ms',
  'grace_period_expires_at_ms',
  'defer_end_at_ms',
  'auto_resume_at_ms',
] as const;

describe('a tolerant receiver: only what delivery needs is required', () => {
  it('accepts a body with only version, name, time, environment and event_id', () => {
    const result = parseOk(minimal);
    expect(result.known).toBe(true);
    expect(result.event).toEqual(minimal);
  });

  it.each(FORMERLY_REQUIRED)('accepts a published payload without %s, or with it null', (field) => {
    const absent: Record<string, unknown> = fixture('activate.json');
    delete absent[field];
    expect(parseOk(absent).known).toBe(true);
    expect(parseOk({ ...fixture('activate.json'), [field]: null }).event).toMatchObject({
      [field]: null,
    });
  });

  it.each(['event_name', 'event_created_at_ms', 'environment'])(
    'still refuses a body without %s, or with it null',
    (field) => {
      const absent: Record<string, unknown> = { ...minimal };
      delete absent[field];
      expect(parseError(absent).code).toBe('invalid_payload');
      expect(parseError({ ...minimal, [field]: null })).toMatchObject({
        code: 'invalid_payload',
        issues: [expect.objectContaining({ path: field })],
      });
    },
  );

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
  ])('with event_id %s, accepts both store transaction ids as the dedup key', (_label, eventId) => {
    expect(parseOk({ ...withoutEventId, event_id: eventId }).known).toBe(true);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
  ])('with event_id %s, requires both store transaction ids', (_label, eventId) => {
    for (const field of ['store_transaction_id', 'store_original_transaction_id']) {
      for (const value of [undefined, null, '']) {
        const error = parseError({ ...withoutEventId, event_id: eventId, [field]: value });
        expect(error.code).toBe('invalid_payload');
        expect(error.issues).toEqual([
          { path: field, message: expect.stringMatching(/required when event_id is absent/) },
        ]);
      }
    }
  });

  it('keeps type checks on the optional fields that are present', () => {
    const body = { ...minimal, store: 7, product: false, purchased_at_ms: 'soon', event_id: 1 };
    expect(parseError(body).issues).toEqual(
      expect.arrayContaining([
        { path: 'store', message: 'expected string' },
        { path: 'product', message: 'expected string' },
        { path: 'purchased_at_ms', message: 'expected number' },
        { path: 'event_id', message: 'expected string' },
      ]),
    );
  });

  it('leaves identity to the bridge: a body without user ids parses', () => {
    const body = fixture('activate.json');
    delete body.user_id;
    delete body.anonymous_user_id;
    expect(parseOk(body).known).toBe(true);
  });
});

describe('epoch milliseconds in a plausible range', () => {
  it('uses fixed bounds: 2000-01-01 inclusive to 2100-01-01 exclusive', () => {
    expect(EPOCH_MS_MIN).toBe(Date.parse('2000-01-01T00:00:00.000Z'));
    expect(EPOCH_MS_MAX).toBe(Date.parse('2100-01-01T00:00:00.000Z'));
  });

  it.each(EPOCH_FIELDS)('accepts %s at both ends of the range', (field) => {
    expect(parseOk({ ...minimal, [field]: EPOCH_MS_MIN }).ok).toBe(true);
    expect(parseOk({ ...minimal, [field]: EPOCH_MS_MAX - 1 }).ok).toBe(true);
  });

  it.each(EPOCH_FIELDS)(
    'refuses %s outside the range, naming field and range, never the value',
    (field) => {
      for (const value of [
        1e15,
        EPOCH_MS_MAX,
        EPOCH_MS_MIN - 1,
        1702390766,
        -1,
        2 ** 60,
        1.5e12 + 0.5,
      ]) {
        const error = parseError({ ...minimal, [field]: value });
        expect(error.code).toBe('invalid_payload');
        expect(error.issues).toEqual([
          {
            path: field,
            message: expect.stringMatching(/2000-01-01T00:00:00.000Z.*2100-01-01T00:00:00.000Z/),
          },
        ]);
        expect(error.message).toContain(field);
        expect(error.message).not.toContain(String(value));
      }
    },
  );
});

/** `{"extra": [[[…]]]}` nested `depth` levels in all (the outer object is level 1), built without recursion. */
function deepText(depth: number): string {
  const head = JSON.stringify(minimal).slice(0, -1);
  return `${head},"extra":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
}

function deepValue(depth: number): Record<string, unknown> {
  let inner: unknown[] = [];
  for (let level = 2; level < depth; level++) inner = [inner];
  return { ...minimal, extra: inner };
}

describe('nesting depth', () => {
  it('is bounded by a small named constant', () => {
    expect(MAX_NESTING_DEPTH).toBeGreaterThanOrEqual(8);
    expect(MAX_NESTING_DEPTH).toBeLessThanOrEqual(64);
  });

  it('accepts a body nested exactly to the bound, as text and as a value', () => {
    expect(parseOk(deepText(MAX_NESTING_DEPTH)).known).toBe(true);
    expect(parseOk(deepValue(MAX_NESTING_DEPTH)).known).toBe(true);
  });

  it.each([
    ['one level past the bound', () => MAX_NESTING_DEPTH + 1],
    ['100,000 levels', () => 100_000],
  ])('refuses a body nested %s as invalid_payload, as text, bytes and value', (_label, depth) => {
    const text = deepText(depth());
    for (const input of [text, new TextEncoder().encode(text), deepValue(depth())]) {
      const error = parseError(input);
      expect(error.code).toBe('invalid_payload');
      expect(error.message).toMatch(new RegExp(`nested deeper than ${MAX_NESTING_DEPTH} levels`));
    }
  });

  it('can serialise whatever it accepts', () => {
    const result = parseOk(deepText(MAX_NESTING_DEPTH));
    expect(() => JSON.stringify(result.event)).not.toThrow();
  });

  it('does not count brackets inside strings', () => {
    const body = { ...minimal, extra: `"[{\\${'['.repeat(100_000)}` };
    expect(parseOk(JSON.stringify(body)).event).toEqual(body);
  });

  it('refuses an unclosed body of 100,000 brackets without throwing', () => {
    expect(() => parsePurchaselyEvent('['.repeat(100_000))).not.toThrow();
    expect(() => parsePurchaselyEvent(`{"a":${'{"a":'.repeat(100_000)}`)).not.toThrow();
  });

  it('refuses a cyclic value instead of walking it forever', () => {
    const body: Record<string, unknown> = { ...minimal };
    body.self = body;
    expect(parseError(body).code).toBe('invalid_payload');
  });

  it('walks a value with shared branches in linear time', () => {
    let shared: unknown[] = [];
    for (let level = 0; level < MAX_NESTING_DEPTH - 2; level++) shared = Array(50).fill(shared);
    const started = performance.now();
    expect(parseOk({ ...minimal, extra: shared }).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('errors from the runtime on huge input', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads a RangeError from JSON.parse as an unreadable body, acknowledged as invalid_payload', () => {
    vi.spyOn(JSON, 'parse').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    expect(parseError(JSON.stringify(minimal)).code).toBe('invalid_payload');
  });

  it('still reads a SyntaxError from JSON.parse as invalid JSON', () => {
    expect(parseError('{"api_version":').code).toBe('invalid_json');
  });

  it('reads a too-long-to-decode body as unreadable, not as invalid UTF-8', () => {
    vi.spyOn(TextDecoder.prototype, 'decode').mockImplementation(() => {
      throw new Error('Cannot create a string longer than 0x1fffffe8 characters');
    });
    const error = parseError(new TextEncoder().encode(JSON.stringify(minimal)));
    expect(error.code).toBe('invalid_payload');
    expect(error.message).not.toMatch(/UTF-8/);
  });

  describe('with strings of the longest length the runtime allows', () => {
    const longest = 'A'.repeat(2 ** 29 - 24);

    it('does not throw building the message of an invalid event', () => {
      const error = parseError({ ...minimal, event_name: longest, environment: 1 });
      expect(error.code).toBe('invalid_payload');
      expect(error.message.length).toBeLessThan(1000);
    });

    it('does not throw warning about an unknown event name or enum value', () => {
      const result = parseOk({ ...minimal, event_name: longest, store: longest });
      expect(result.warnings.map((warning) => warning.code)).toEqual([
        'unknown_event_name',
        'unknown_enum_value',
      ]);
      for (const warning of result.warnings) expect(warning.message.length).toBeLessThan(1000);
    });

    it('does not throw, nor echo, on an api_version that is a long string', () => {
      const error = parseError({ ...minimal, api_version: longest });
      expect(error.code).toBe('unsupported_api_version');
      expect(error.message.length).toBeLessThan(1000);
    });
  });
});
