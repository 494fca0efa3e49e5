import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import { eventIdFor } from '../../src/index.js';
import { purchaselyEventKey } from '../../src/mapping/event-key.js';
import { API_KEY, type LogCall, recordingLogger, SECRET, send, setup } from './helpers.js';

const PLAN_MARKER = 'plan-PAYLOAD-MARKER-7731';
const PLACEMENT_MARKER = 'placement-PAYLOAD-MARKER-1903';

/** Runs every path of the answer table with a recording logger; returns the calls and the response bodies. */
async function everyPath(apiKey = API_KEY) {
  const logger = recordingLogger();
  const { emulator, bridge } = setup(
    { logger, deliveryBudgetMs: 40 },
    { apiKey, retry: { random: () => 0, maxRetryAfterMs: 0, limit: 1 } },
  );
  bridge.on('TRIAL_STARTED', () => {
    throw new Error('handler failed');
  });
  const event = (
    name: Parameters<typeof purchaselyEvent>[0] = 'SUBSCRIPTION_RENEWED',
    extra = {},
  ) => purchaselyEvent(name, { plan: PLAN_MARKER, placement: PLACEMENT_MARKER, ...extra });
  const bodies: string[] = [];
  const payloads: string[] = [];
  const post = async (body: object | string, options: { secret?: string } = {}) => {
    if (typeof body === 'object') payloads.push(JSON.stringify(body));
    const answer = await send(bridge, body, options);
    bodies.push(answer.body);
    return answer;
  };

  const renewed = event();
  await post(renewed); // forwarded (or 503 credentials with a wrong key)
  await post(renewed); // duplicate
  await post(event('ACTIVATE')); // skipped
  await post(event('SUBSCRIPTION_RENEWED', { environment: 'SANDBOX' })); // skipped
  await post(event(), { secret: 'wrong-secret' }); // 401
  const unsigned = await bridge.handle({
    method: 'POST',
    headers: {},
    body: JSON.stringify(event()),
  });
  bodies.push(unsigned.body);
  await post(`{"plan":"${PLAN_MARKER}"`); // 400 not JSON
  await post({ api_version: 3, event_name: 'SUBSCRIPTION_RENEWED', plan: PLAN_MARKER }); // schema → 200 failed
  await post({
    api_version: 3,
    event_name: 'SUBSCRIPTION_RENEWED',
    plan: PLAN_MARKER,
    event_created_at_ms: PLAN_MARKER,
  });
  await post(event('SUBSCRIPTION_RENEWED', { store: 'STORE-PAYLOAD-MARKER' })); // unknown enum value
  emulator.faults.next({ status: 503 }, { status: 503 });
  await post(event()); // 503 unavailable
  emulator.faults.next({ status: 400, body: '{"meta":{"error":"bad attribute"}}' });
  await post(event()); // 200 failed
  emulator.faults.next({ hangMs: 300 });
  await post(event()); // 503 timeout
  await post(event('TRIAL_STARTED')); // 500 handler_failed
  bodies.push((await bridge.handle({ method: 'GET', headers: {}, body: '' })).body); // 405
  bodies.push(
    (await bridge.handle({ method: 'POST', headers: {}, body: 'x'.repeat(1024 * 1024 + 1) })).body,
  ); // 413
  const webhook = await signedPurchaselyWebhook({ secret: SECRET, body: event() });
  bodies.push(
    await (
      await bridge.fetch(new Request('http://localhost/', { method: 'POST', ...webhook }))
    ).text(),
  );
  return { calls: logger.calls, bodies, payloads, emulator };
}

const aboveDebug = (calls: LogCall[]) => calls.filter((call) => call.level !== 'debug');

describe('secrets and payloads stay out of answers and logs', () => {
  it('neither the webhook secret nor the API key appears in any answer or log call', async () => {
    const { calls, bodies } = await everyPath();
    expect(calls.length).toBeGreaterThan(10);
    const everything = JSON.stringify({ calls, bodies });
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(API_KEY);
  });

  it('the same on the 401 and credential-503 paths (wrong Customer.io key)', async () => {
    const wrongKey = 'cio_track_key_WRONG_c0ffee42';
    const { calls, bodies, emulator } = await everyPath(wrongKey);
    expect(emulator.requests.some((r) => r.status === 401)).toBe(true);
    expect(bodies.some((body) => body.includes('"credentials"'))).toBe(true);
    expect(bodies.some((body) => body.includes('invalid_signature'))).toBe(true);
    const everything = JSON.stringify({ calls, bodies });
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(wrongKey);
  });

  it('no log line above debug carries the payload', async () => {
    const { calls, payloads } = await everyPath();
    const loud = JSON.stringify(aboveDebug(calls).map((call) => [call.object, call.message]));
    expect(aboveDebug(calls).length).toBeGreaterThan(5);
    expect(loud).not.toContain(PLAN_MARKER);
    expect(loud).not.toContain(PLACEMENT_MARKER);
    for (const payload of payloads) expect(loud).not.toContain(payload);
    // The debug line describing the delivery is where the payload may go.
    expect(JSON.stringify(calls.filter((call) => call.level === 'debug'))).toContain(PLAN_MARKER);
  });

  it('answers are small JSON documents that never echo the body', async () => {
    const { bodies } = await everyPath();
    for (const body of bodies) {
      expect(() => JSON.parse(body)).not.toThrow();
      expect(body).not.toContain(PLAN_MARKER);
      expect(body.length).toBeLessThan(400);
    }
  });
});

describe('events without event_id (pre-2021 payloads)', () => {
  it('are still deduplicated, but answers and logs show the Customer.io event id, not the user-derived key', async () => {
    const logger = recordingLogger();
    const { emulator, bridge } = setup({ logger });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', {
      user_id: 'user-PII-42',
      event_id: undefined,
    });
    const first = await send(bridge, event);
    const second = await send(bridge, event);
    expect(first.json).toMatchObject({ status: 'forwarded' });
    expect(second.json).toMatchObject({ status: 'duplicate' });
    expect(emulator.events).toHaveLength(1);

    const key = purchaselyEventKey(event);
    expect(key).toContain('user-PII-42');
    expect(first.json.event_id).toBe(eventIdFor(key, event.event_created_at_ms));
    expect(first.json.event_id).toBe(emulator.events[0]?.id);

    const visible = JSON.stringify({
      bodies: [first.body, second.body],
      logs: aboveDebug(logger.calls),
    });
    expect(visible).not.toContain('user-PII-42');
    expect(visible).not.toContain(event.store_transaction_id);
  });
});
