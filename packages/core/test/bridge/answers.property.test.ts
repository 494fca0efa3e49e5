import { createCustomerIoEmulator, purchaselyEvent } from '@purchasely-customerio/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BridgeHooks, createPurchaselyBridge } from '../../src/index.js';
import { eventFixtures } from '../fixtures.js';
import { clientOptions, SECRET, send, WORKSPACES } from './helpers.js';

type FailedInfo = Parameters<NonNullable<BridgeHooks['onFailed']>>[0];
type FaultStep = Parameters<ReturnType<typeof createCustomerIoEmulator>['faults']['next']>[0];

/** What Customer.io (or something in its place) answers every request with; `undefined` is success. */
const upstreamReplies: Array<{ label: string; step: FaultStep | undefined; permanent: boolean }> = [
  { label: 'success', step: undefined, permanent: false },
  {
    label: 'JSON 400 (a rejection)',
    step: { status: 400, body: JSON.stringify({ meta: { error: 'invalid attribute' } }) },
    permanent: true,
  },
  {
    label: '207 with an error',
    step: {
      status: 207,
      body: JSON.stringify({
        errors: [{ batch_index: 1, reason: 'invalid', message: 'bad event' }],
      }),
    },
    permanent: true,
  },
  {
    label: '207 unreadable',
    step: { status: 207, body: '<html>gateway</html>' },
    permanent: false,
  },
  {
    label: 'HTML 400 (a proxy)',
    step: { status: 400, body: '<html>blocked</html>' },
    permanent: false,
  },
  {
    label: 'text 413 (a proxy)',
    step: { status: 413, body: 'Request too large' },
    permanent: false,
  },
  { label: '401', step: { status: 401, body: 'Unauthorized request' }, permanent: false },
  { label: '404', step: { status: 404, body: '' }, permanent: false },
  { label: '410', step: { status: 410, body: '{}' }, permanent: false },
  { label: '429', step: { status: 429, retryAfter: 1 }, permanent: false },
  { label: '500', step: { status: 500 }, permanent: false },
  { label: '503', step: { status: 503 }, permanent: false },
  { label: 'connection dropped', step: 'drop', permanent: false },
];

const fixtureBodies = [...eventFixtures.values()].map(
  (text) => JSON.parse(text) as Record<string, unknown>,
);

/** Signed bodies: valid events, events with a field removed, nulled or retyped, random JSON, and text. */
const signedBody = fc.oneof(
  fc
    .constantFrom('SUBSCRIPTION_RENEWED', 'SUBSCRIPTION_STARTED', 'TRANSACTION_PROCESSED')
    .map((name) =>
      JSON.stringify({ ...purchaselyEvent(name), event_id: 'evt-fixed', user_id: 'u-prop' }),
    ),
  fc
    .tuple(
      fc.constantFrom(...fixtureBodies),
      fc.nat(),
      fc.oneof(fc.constant(undefined), fc.constant(null), fc.jsonValue(), fc.constant(1e15)),
    )
    .map(([body, index, value]) => {
      const copy: Record<string, unknown> = { ...body, environment: 'PRODUCTION' };
      const keys = Object.keys(copy);
      const key = keys[index % keys.length]!;
      if (value === undefined) delete copy[key];
      else copy[key] = value;
      return JSON.stringify(copy);
    }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string(),
);

/** The class of an answer: its status and what its body says happened. */
function classOf(answer: { status: number; json: Record<string, unknown> }): string {
  return `${answer.status} ${String(answer.json.status ?? answer.json.error)} ${String(answer.json.reason ?? '')}`;
}

async function deliverOnce(body: string, step: FaultStep | undefined) {
  const emulator = createCustomerIoEmulator({ workspaces: WORKSPACES });
  if (step !== undefined) {
    // A 207 is an answer of /api/v2/batch only; every other reply is given to every request.
    const steps = Array.from({ length: 20 }, () => step);
    if (typeof step === 'object' && 'status' in step && step.status === 207) {
      emulator.faults.next({ match: { path: '/api/v2/batch' } }, ...steps);
    } else {
      emulator.faults.next(...steps);
    }
  }
  const failed: FailedInfo[] = [];
  const bridge = createPurchaselyBridge({
    webhookSecret: SECRET,
    customerio: clientOptions(emulator, {
      retry: { limit: 2, random: () => 0, maxRetryAfterMs: 0 },
    }),
    events: 'all',
    logger: false,
    hooks: { onFailed: (info) => failed.push(info) },
  });
  // Every answer is JSON: `send` parses it.
  return { answer: await send(bridge, body), failed, emulator };
}

describe('answers over signed bodies and upstream replies', () => {
  it('the same request always gets the same class of answer; a deterministic failure is acknowledged with onFailed; nothing forwarded is missing', async () => {
    await fc.assert(
      fc.asyncProperty(signedBody, fc.constantFrom(...upstreamReplies), async (body, reply) => {
        const first = await deliverOnce(body, reply.step);
        const second = await deliverOnce(body, reply.step);
        expect(classOf(second.answer)).toBe(classOf(first.answer));

        const { answer, failed, emulator } = first;
        // Never the catch-all: every outcome is in the table.
        expect(answer.json.error).not.toBe('internal_error');
        if (answer.status === 200 && answer.json.status === 'failed') {
          expect(failed.filter((info) => !info.willRetry)).toHaveLength(1);
        }
        if (answer.json.status === 'forwarded') {
          expect(emulator.events.length).toBeGreaterThan(0);
        }
        const replied = emulator.stats.faultsInjected > 0;
        if (reply.permanent && replied) {
          // Customer.io refused for good: acknowledged, never left to fail forever.
          expect(answer.status).toBe(200);
          expect(answer.json.status).toBe('failed');
        }
        if (!reply.permanent && replied) {
          // Fixable on our side: not acknowledged, so Purchasely re-delivers and nothing is lost.
          expect(answer.status).toBe(503);
        }
      }),
      { numRuns: 300 },
    );
  });
});
