import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import { type BridgeHooks, STATUS_BY_OUTCOME } from '../../src/index.js';
import { recordingLogger, SECRET, send, setup } from './helpers.js';

type FailedInfo = Parameters<NonNullable<BridgeHooks['onFailed']>>[0];

function failures() {
  const calls: FailedInfo[] = [];
  return { calls, hooks: { onFailed: (info: FailedInfo) => calls.push(info) } };
}

describe('answer table', () => {
  it('maps every outcome to the documented status', () => {
    expect(STATUS_BY_OUTCOME).toEqual({
      forwarded: 200,
      queued: 200,
      skipped: 200,
      duplicate: 200,
      rejected: 200,
      method_not_allowed: 405,
      payload_too_large: 413,
      body_timed_out: 408,
      body_already_parsed: 500,
      invalid_signature: 401,
      invalid_body: 400,
      customerio_unavailable: 503,
      in_progress: 503,
      store_unavailable: 503,
      queue_unavailable: 503,
      archive_unavailable: 503,
      handler_failed: 500,
      identify_failed: 500,
    });
  });

  describe('401 invalid_signature', () => {
    it.each([
      ['missing signature', {}, 'missing_signature'],
      [
        'missing timestamp',
        { 'x-purchasely-request-signature': 'a'.repeat(64) },
        'missing_timestamp',
      ],
      [
        'wrong signature',
        {
          'x-purchasely-request-signature': 'a'.repeat(64),
          'x-purchasely-timestamp': String(Math.floor(Date.now() / 1000)),
        },
        'signature_mismatch',
      ],
    ])('%s → 401 and nothing sent', async (_, headers, reason) => {
      const { emulator, bridge } = setup();
      const answer = await bridge.handle({
        method: 'POST',
        headers,
        body: JSON.stringify(purchaselyEvent('SUBSCRIPTION_RENEWED')),
      });
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({ error: 'invalid_signature', reason });
      expect(emulator.requests).toHaveLength(0);
    });

    it('signed with another secret → 401 signature_mismatch', async () => {
      const { emulator, bridge } = setup();
      const answer = await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'), {
        secret: 'not-the-secret',
      });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ error: 'invalid_signature', reason: 'signature_mismatch' });
      expect(emulator.requests).toHaveLength(0);
    });

    it('a signature older than the tolerance → 401 timestamp_too_old', async () => {
      const { emulator, bridge } = setup();
      const answer = await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'), {
        timestamp: Math.floor(Date.now() / 1000) - 3600,
      });
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ reason: 'timestamp_too_old' });
      expect(emulator.requests).toHaveLength(0);
    });

    it('the body is changed after signing → 401', async () => {
      const { emulator, bridge } = setup();
      const webhook = await signedPurchaselyWebhook({
        secret: SECRET,
        body: purchaselyEvent('SUBSCRIPTION_RENEWED', { plan: 'monthly' }),
      });
      const tampered = (webhook.body as string).replace('"monthly"', '"yearly"');
      const answer = await bridge.handle({
        method: 'POST',
        headers: webhook.headers,
        body: tampered,
      });
      expect(answer.status).toBe(401);
      expect(emulator.requests).toHaveLength(0);
    });
  });

  describe('400 invalid_body', () => {
    it.each([
      ['not JSON', 'invalid_json', 'this is not json'],
      ['empty', 'invalid_json', ''],
      ['not an object', 'not_an_object', '[1,2,3]'],
      [
        'legacy v2',
        'legacy_api_version',
        JSON.stringify({ name: 'PURCHASE_VALIDATED', properties: {}, api_version: 2 }),
      ],
    ])('%s → 400 %s', async (_, code, body) => {
      const { emulator, bridge } = setup();
      const answer = await send(bridge, body);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: 'invalid_body', code });
      expect(typeof answer.json.message).toBe('string');
      expect(emulator.requests).toHaveLength(0);
    });
  });

  describe('413 payload_too_large', () => {
    it('a body over the default 1 MB → 413, before the signature is even checked', async () => {
      const { emulator, bridge } = setup();
      const body = `{"pad":"${'x'.repeat(1024 * 1024)}"}`;
      const answer = await bridge.handle({ method: 'POST', headers: {}, body });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual({
        error: 'payload_too_large',
        message: `The body is over ${1024 * 1024} bytes.`,
      });
      expect(answer.headers.connection).toBe('close');
      expect(emulator.requests).toHaveLength(0);
    });

    it('exactly 1 MB is not refused for its size', async () => {
      const { bridge } = setup();
      const body = new Uint8Array(1024 * 1024).fill(0x20);
      const answer = await bridge.handle({ method: 'POST', headers: {}, body });
      expect(answer.status).toBe(401);
    });

    it('a custom maxBodyBytes applies, in bytes (not characters)', async () => {
      const { emulator, bridge } = setup({ maxBodyBytes: 2000 });
      const small = await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'));
      expect(small.status).toBe(200);
      const large = await send(
        bridge,
        purchaselyEvent('SUBSCRIPTION_RENEWED', { placement: 'é'.repeat(1000) }),
      );
      expect(large.status).toBe(413);
      expect(large.json).toMatchObject({ message: 'The body is over 2000 bytes.' });
      expect(emulator.events).toHaveLength(1);
    });

    it('bridge.fetch stops reading a streamed body once it passes the limit', async () => {
      const { emulator, bridge } = setup({ maxBodyBytes: 1000 });
      let pulled = 0;
      let cancelled = false;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 1;
          controller.enqueue(new Uint8Array(400).fill(0x61));
          if (pulled > 100) controller.close();
        },
        cancel() {
          cancelled = true;
        },
      });
      const request = new Request('http://localhost/webhook', {
        method: 'POST',
        body: stream,
        duplex: 'half',
      } as RequestInit);
      const response = await bridge.fetch(request);
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: 'payload_too_large' });
      expect(pulled).toBeLessThan(10);
      expect(cancelled).toBe(true);
      expect(emulator.requests).toHaveLength(0);
    });

    it('bridge.fetch answers 413 from a declared content-length without reading the body', async () => {
      const { bridge } = setup({ maxBodyBytes: 1000 });
      let pulled = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 1;
          controller.enqueue(new Uint8Array(10));
          controller.close();
        },
      });
      const request = new Request('http://localhost/webhook', {
        method: 'POST',
        headers: { 'content-length': '5000' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      const response = await bridge.fetch(request);
      // The stream holds 10 bytes only: the 413 can only come from the declared length.
      expect(response.status).toBe(413);
      expect(request.bodyUsed).toBe(false);
      expect(pulled).toBeLessThanOrEqual(1); // the stream's own eager first pull, never a read
    });

    it('bridge.fetch answers 400 (and does not throw) when the body stream errors', async () => {
      const { emulator, bridge } = setup();
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(5));
          controller.error(new Error('socket reset'));
        },
      });
      const request = new Request('http://localhost/webhook', {
        method: 'POST',
        body: stream,
        duplex: 'half',
      } as RequestInit);
      const response = await bridge.fetch(request);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: 'invalid_body',
        code: 'unreadable_body',
      });
      expect(emulator.requests).toHaveLength(0);
    });

    it('bridge.fetch answers 408 and closes when the body trickles past the read timeout', async () => {
      const { emulator, bridge } = setup({ bodyReadTimeoutMs: 200 });
      let timer: ReturnType<typeof setInterval> | undefined;
      let cancelled = false;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          // One byte every 50 ms: a 1.5 KB body would take over a minute.
          timer = setInterval(() => controller.enqueue(new Uint8Array([0x7b])), 50);
        },
        cancel() {
          cancelled = true;
          clearInterval(timer);
        },
      });
      const request = new Request('http://localhost/webhook', {
        method: 'POST',
        body: stream,
        duplex: 'half',
      } as RequestInit);
      const response = await bridge.fetch(request);
      clearInterval(timer);
      expect(response.status).toBe(408);
      expect(response.headers.get('connection')).toBe('close');
      expect(await response.json()).toMatchObject({ error: 'body_timed_out' });
      expect(cancelled).toBe(true);
      expect(emulator.requests).toHaveLength(0);
    });

    it('an adapter reporting a body already parsed gets a 500 with its advice, and a log line', async () => {
      const logger = recordingLogger();
      const { emulator, bridge } = setup({ logger });
      const help = 'Mount the route before express.json().';
      const answer = await bridge.handle({
        method: 'POST',
        headers: {},
        body: { problem: 'already_parsed', help },
      });
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.body)).toEqual({ error: 'misconfigured', message: help });
      expect(logger.calls).toContainEqual(
        expect.objectContaining({ level: 'error', message: expect.stringContaining(help) }),
      );
      expect(emulator.requests).toHaveLength(0);
    });

    it('bridge.fetch forwards a signed body under the limit', async () => {
      const { emulator, bridge } = setup();
      const webhook = await signedPurchaselyWebhook({
        secret: SECRET,
        body: purchaselyEvent('SUBSCRIPTION_RENEWED'),
      });
      const response = await bridge.fetch(
        new Request('http://localhost/webhook', { method: 'POST', ...webhook }),
      );
      expect(response.status).toBe(200);
      expect(emulator.events).toHaveLength(1);
    });
  });

  describe('405 method_not_allowed', () => {
    it.each(['GET', 'PUT', 'DELETE', 'HEAD'])('%s → 405 with Allow: POST', async (method) => {
      const { emulator, bridge } = setup();
      const answer = await bridge.handle({ method, headers: {}, body: '' });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('POST');
      expect(emulator.requests).toHaveLength(0);
    });

    it('through bridge.fetch too', async () => {
      const { bridge } = setup();
      const response = await bridge.fetch(new Request('http://localhost/webhook'));
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });

    it('a lower-case post is a POST', async () => {
      const { bridge } = setup();
      const webhook = await signedPurchaselyWebhook({
        secret: SECRET,
        body: purchaselyEvent('SUBSCRIPTION_RENEWED'),
      });
      const answer = await bridge.handle({ method: 'post', ...webhook });
      expect(answer.status).toBe(200);
    });
  });

  describe('200 forwarded / skipped / duplicate', () => {
    it('forwarded', async () => {
      const { emulator, bridge } = setup();
      const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u1' });
      const answer = await send(bridge, event);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.json).toEqual({
        status: 'forwarded',
        event_id: event.event_id,
        event_name: 'SUBSCRIPTION_RENEWED',
        customerio_event: 'SUBSCRIPTION_RENEWED',
      });
      expect(emulator.events).toHaveLength(1);
    });

    it.each([
      ['a disabled event', purchaselyEvent('ACTIVATE'), 'event_disabled'],
      [
        'a sandbox event (default policy ignore)',
        purchaselyEvent('SUBSCRIPTION_RENEWED', { environment: 'SANDBOX' }),
        'sandbox',
      ],
      [
        'no user_id and no anonymous_user_id',
        purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: undefined }),
        'no_identity',
      ],
      ['blank user_id', purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: '  ' }), 'no_identity'],
      [
        'an event this SDK does not know',
        { ...purchaselyEvent('SUBSCRIPTION_RENEWED'), event_name: 'SOMETHING_NEW' },
        'unknown_event',
      ],
    ])('skipped: %s → 200, nothing sent', async (_, event, reason) => {
      const { emulator, bridge } = setup();
      const answer = await send(bridge, event);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        status: 'skipped',
        reason,
        event_id: event.event_id,
        event_name: event.event_name,
      });
      expect(emulator.requests).toHaveLength(0);
    });

    it('duplicate', async () => {
      const { emulator, bridge } = setup();
      const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
      await send(bridge, event);
      const answer = await send(bridge, event);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        status: 'duplicate',
        event_id: event.event_id,
        event_name: 'SUBSCRIPTION_RENEWED',
      });
      expect(emulator.requests).toHaveLength(1);
    });
  });

  describe('503 customerio_unavailable', () => {
    it('Customer.io down through every retry → 503; a re-delivery after recovery is forwarded once', async () => {
      const failed = failures();
      const { emulator, bridge } = setup({ hooks: failed.hooks });
      const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-down' });
      emulator.faults.next(...Array.from({ length: 5 }, () => ({ status: 503 })));

      const down = await send(bridge, event);
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBe('30');
      expect(down.json).toEqual({ error: 'customerio_unavailable', reason: 'unavailable' });
      expect(emulator.requests.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
      expect(emulator.events).toHaveLength(0);
      expect(failed.calls).toEqual([
        expect.objectContaining({ reason: 'unavailable', willRetry: true }),
      ]);

      const again = await send(bridge, event);
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ status: 'forwarded' });
      const third = await send(bridge, event);
      expect(third.json).toMatchObject({ status: 'duplicate' });
      expect(emulator.events).toHaveLength(1);
      expect(emulator.stats.duplicateEvents).toBe(0);
    });

    it('a transient 503 and a 429 are retried inside one delivery → 200', async () => {
      const { emulator, bridge } = setup();
      emulator.faults.next({ status: 503 }, { status: 429, retryAfter: 1 });
      const answer = await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'));
      expect(answer.status).toBe(200);
      expect(emulator.requests.map((r) => r.status)).toEqual([503, 429, 200]);
      expect(emulator.events).toHaveLength(1);
    });

    it('dropped connections through every retry → 503', async () => {
      const { emulator, bridge } = setup();
      emulator.faults.next('drop', 'drop', 'drop', 'drop', 'drop');
      const answer = await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'));
      expect(answer.status).toBe(503);
      expect(emulator.events).toHaveLength(0);
    });

    it('Customer.io refusing our credentials → 503 credentials, and the event is not remembered', async () => {
      const failed = failures();
      const { emulator, bridge } = setup({ hooks: failed.hooks }, { apiKey: 'wrong-api-key' });
      const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
      const answer = await send(bridge, event);
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual({ error: 'customerio_unavailable', reason: 'credentials' });
      expect(emulator.requests.map((r) => r.status)).toEqual([401]);
      expect(failed.calls).toEqual([
        expect.objectContaining({ reason: 'credentials', willRetry: true }),
      ]);
      const again = await send(bridge, event);
      expect(again.status).toBe(503);
    });

    it('the delivery budget running out (Customer.io hangs) → 503 timeout', async () => {
      const { emulator, bridge } = setup({ deliveryBudgetMs: 40 }, { retry: false });
      emulator.faults.next({ hangMs: 500 });
      const answer = await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'));
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual({ error: 'customerio_unavailable', reason: 'timeout' });
      expect(emulator.events).toHaveLength(0);
    });
  });

  describe('200 failed (rejected for good)', () => {
    it('Customer.io rejecting one event (400) → 200 failed, onFailed willRetry false, the next event flows', async () => {
      const failed = failures();
      const { emulator, bridge } = setup({ hooks: failed.hooks });
      emulator.faults.next({
        status: 400,
        body: '{"meta":{"error":"attribute value is over 1000 bytes"}}',
      });
      const bad = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-rejected' });
      const answer = await send(bridge, bad);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        status: 'failed',
        reason: 'customerio_rejected',
        event_id: bad.event_id,
        event_name: 'SUBSCRIPTION_RENEWED',
      });
      expect(emulator.requests.map((r) => r.status)).toEqual([400]);
      expect(failed.calls).toHaveLength(1);
      expect(failed.calls[0]).toMatchObject({ reason: 'customerio_rejected', willRetry: false });
      expect(failed.calls[0]?.event?.event_id).toBe(bad.event_id);

      // A re-delivery of the rejected event is acknowledged without trying again.
      expect((await send(bridge, bad)).json).toMatchObject({ status: 'duplicate' });

      const next = purchaselyEvent('SUBSCRIPTION_TERMINATED', { user_id: 'u-rejected' });
      const after = await send(bridge, next);
      expect(after.json).toMatchObject({ status: 'forwarded' });
      expect(emulator.events).toEqual([
        expect.objectContaining({ personId: 'u-rejected', name: 'SUBSCRIPTION_TERMINATED' }),
      ]);
    });

    it.each([
      ['batch path', {}],
      ['v1 merge path', { anonymous_user_id: 'anon-big' }],
    ])(
      'an attribute value over 1000 bytes (%s) → 200 failed before anything is sent',
      async (_, extra) => {
        const failed = failures();
        const { emulator, bridge } = setup({ hooks: failed.hooks });
        const big = purchaselyEvent('SUBSCRIPTION_RENEWED', {
          user_id: 'u-big',
          plan: 'x'.repeat(1001),
          ...extra,
        });
        const answer = await send(bridge, big);
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ status: 'failed', reason: 'customerio_rejected' });
        expect(failed.calls).toEqual([
          expect.objectContaining({ reason: 'customerio_rejected', willRetry: false }),
        ]);
        expect(emulator.requests).toHaveLength(0);

        const next = await send(
          bridge,
          purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-big', ...extra }),
        );
        expect(next.json).toMatchObject({ status: 'forwarded' });
        expect(emulator.people.get('u-big')?.attributes.plan).toBe('monthly');
      },
    );

    it('a signed JSON body failing the v3 schema → 200 failed invalid_payload + onFailed', async () => {
      const failed = failures();
      const { emulator, bridge } = setup({ hooks: failed.hooks });
      const answer = await send(bridge, { api_version: 3, event_name: 'SUBSCRIPTION_RENEWED' });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ status: 'failed', reason: 'invalid_payload' });
      expect(failed.calls).toEqual([
        expect.objectContaining({ reason: 'invalid_payload', willRetry: false }),
      ]);
      expect(emulator.requests).toHaveLength(0);
    });
  });
});
