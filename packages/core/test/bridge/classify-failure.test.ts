import { describe, expect, it } from 'vitest';
import { classifyDeliveryFailure } from '../../src/bridge/classify-failure.js';
import {
  CustomerIoAbortError,
  CustomerIoDeadlineError,
  CustomerIoHttpError,
  type TrackV2Operation,
} from '../../src/customerio/index.js';
import { rejectionOf, testClient, useEmulator } from '../customerio/helpers.js';

const operation: TrackV2Operation = {
  type: 'person',
  action: 'event',
  identifiers: { id: 'u1' },
  name: 'subscription_started',
};

/** The delivery class of what the real client throws when the emulator answers `status` with `body`. */
async function classOfAnswer(
  emulator: ReturnType<typeof useEmulator>['emulator'],
  status: number,
  body: string,
) {
  emulator.faults.next({ status, body });
  const error = await rejectionOf(testClient({ retry: false }).batch([operation]));
  expect(error).toBeInstanceOf(CustomerIoHttpError);
  const result = classifyDeliveryFailure(error);
  return result.ok ? 'ok' : result.permanent ? 'permanent' : result.reason;
}

const cioV1Error = JSON.stringify({ meta: { error: 'invalid attribute' } });
const cioV2Error = JSON.stringify({ errors: [{ field: 'batch', message: 'bad' }] });
const proxyPage = '<html><body><h1>403 Forbidden by the corporate proxy</h1></body></html>';

describe('classifyDeliveryFailure: misconfiguration is transient, not a rejection', () => {
  const { emulator } = useEmulator();

  it.each([404, 405, 410])('%i from a fixed endpoint → configuration', async (status) => {
    expect(await classOfAnswer(emulator, status, '404 page not found')).toBe('configuration');
    expect(await classOfAnswer(emulator, status, cioV1Error)).toBe('configuration');
  });

  it.each([
    ['an HTML page', proxyPage],
    ['plain text', 'Request Entity Too Large'],
    ['JSON of another shape', JSON.stringify({ message: 'blocked by WAF', code: 'waf' })],
    ['an empty body', ''],
  ])('400 and 413 with %s (a proxy, not Customer.io) → configuration', async (_, body) => {
    expect(await classOfAnswer(emulator, 400, body)).toBe('configuration');
    expect(await classOfAnswer(emulator, 413, body)).toBe('configuration');
  });

  it('400, 413 and 422 with Customer.io’s JSON error shape stay permanent', async () => {
    for (const status of [400, 413, 422]) {
      expect(await classOfAnswer(emulator, status, cioV1Error)).toBe('permanent');
      expect(await classOfAnswer(emulator, status, cioV2Error)).toBe('permanent');
    }
    const errors = JSON.stringify({ meta: { errors: ['bad id'] } });
    expect(await classOfAnswer(emulator, 400, errors)).toBe('permanent');
  });

  it('401 and 403 stay credentials, 5xx stays unavailable', async () => {
    expect(await classOfAnswer(emulator, 401, 'Unauthorized request')).toBe('credentials');
    expect(await classOfAnswer(emulator, 403, proxyPage)).toBe('credentials');
    expect(await classOfAnswer(emulator, 502, proxyPage)).toBe('unavailable');
  });

  it('an unreadable 207 → unavailable (neither success nor rejection)', async () => {
    expect(await classOfAnswer(emulator, 207, proxyPage)).toBe('unavailable');
    expect(await classOfAnswer(emulator, 207, JSON.stringify({ ok: true }))).toBe('unavailable');
  });
});

describe('classifyDeliveryFailure: deadline and cancellation are transient', () => {
  it('a limiter wait past the deadline → rate_limited', () => {
    const error = new CustomerIoDeadlineError({ waitMs: 9000, deadline: 5000, now: 0 });
    expect(classifyDeliveryFailure(error)).toMatchObject({
      ok: false,
      permanent: false,
      reason: 'rate_limited',
    });
  });

  it('a call cancelled by its signal → timeout', () => {
    const error = new CustomerIoAbortError({ method: 'POST', path: '/api/v2/batch' });
    expect(classifyDeliveryFailure(error)).toMatchObject({
      ok: false,
      permanent: false,
      reason: 'timeout',
    });
  });
});
