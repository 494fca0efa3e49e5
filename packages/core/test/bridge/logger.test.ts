import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsoleLogger, createPurchaselyBridge } from '../../src/index.js';
import { API_KEY, clientOptions, SECRET, SITE_ID, setup } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

async function forged() {
  const webhook = await signedPurchaselyWebhook({
    secret: 'not-the-secret',
    body: purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-secret-payload' }),
  });
  return { method: 'POST', ...webhook };
}

describe('the default logger', () => {
  it('prints a refused webhook as one readable warning line, with no payload and no secret', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { bridge } = setup({ logger: undefined });
    const answer = await bridge.handle(await forged());
    expect(answer.status).toBe(401);
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0]?.[0]);
    expect(line).toMatch(/^purchasely-customerio: rejected a webhook: .+ \(reason=\w+\)$/);
    expect(line).not.toContain('\n');
    for (const secret of [SECRET, API_KEY, SITE_ID, 'u-secret-payload']) {
      expect(line).not.toContain(secret);
    }
    expect(error).not.toHaveBeenCalled();
  });

  it('prints a 503 as a warning naming the reason and the error', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { emulator, bridge } = setup({ logger: undefined });
    emulator.faults.random({ rate: 1, steps: [{ status: 503 }] });
    const webhook = await signedPurchaselyWebhook({
      secret: SECRET,
      body: purchaselyEvent('SUBSCRIPTION_RENEWED'),
    });
    const answer = await bridge.handle({ method: 'POST', ...webhook });
    expect(answer.status).toBe(503);
    expect(warn.mock.calls.map(([line]) => String(line))).toContainEqual(
      expect.stringMatching(/Customer\.io unavailable.*reason=unavailable.*err=/),
    );
  });

  it('logger: false prints nothing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const bridge = createPurchaselyBridge({
      webhookSecret: SECRET,
      customerio: clientOptions(setup().emulator),
      logger: false,
    });
    expect((await bridge.handle(await forged())).status).toBe(401);
    expect(warn).not.toHaveBeenCalled();
  });

  it('drops debug and info, and keeps each line on one line', () => {
    const lines: string[] = [];
    const logger = createConsoleLogger({ warn: (l) => lines.push(l), error: (l) => lines.push(l) });
    logger.debug({ a: 1 }, 'debug');
    logger.info({ a: 1 }, 'info');
    logger.error({ err: new Error('two\nlines'), count: 2 }, 'failed');
    expect(lines).toEqual(['failed (err=Error: two lines, count=2)']);
  });
});
