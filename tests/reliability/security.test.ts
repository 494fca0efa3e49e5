/**
 * Part 4, security, through every adapter on a real loopback server: replayed and future timestamps, the
 * wrong secret, truncated and altered signatures, upper-case hex, duplicated headers, oversized bodies, and
 * no secret (the webhook secret, the Customer.io API key, its Basic-auth form) in any log line, error,
 * hook payload, response or request Customer.io recorded.
 *
 * Upper-case hex: ACCEPTED, by decision. `verifyPurchaselySignature` compares the decoded bytes, so
 * `ABCD…` is the same 32-byte HMAC as `abcd…` (documented in packages/core/src/signature/verify.ts:
 * "rejecting it would add no security"). Purchasely sends lower case; a proxy that upper-cases header
 * values must not make every webhook fail. The tests below pin this down.
 */
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import {
  createPurchaselyBridge,
  PURCHASELY_DEPRECATED_SIGNATURE_HEADER,
  PURCHASELY_SIGNATURE_HEADER,
  PURCHASELY_TIMESTAMP_HEADER,
  type PurchaselyBridgeConfig,
} from '@purchasely-customerio/core';
import {
  createCustomerIoEmulator,
  type LoopbackServer,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADAPTERS,
  API_KEY,
  capturingLogger,
  PATH,
  type RunningServer,
  recordFigures,
  SITE_ID,
  startServer,
  WEBHOOK_SECRET,
  WORKSPACE,
} from './helpers.js';

const MAX_BODY_BYTES = 64 * 1024;
/** A second API key, configured in a bridge Customer.io refuses: it must not leak either. */
const WRONG_API_KEY = 'cio_track_key_WRONG_deadbeef99';
const SECRETS = [
  WEBHOOK_SECRET,
  API_KEY,
  WRONG_API_KEY,
  Buffer.from(`${SITE_ID}:${API_KEY}`).toString('base64'),
  Buffer.from(`${SITE_ID}:${WRONG_API_KEY}`).toString('base64'),
];

const nowSeconds = () => Math.floor(Date.now() / 1000);
const dispatcher = new Agent({ connections: 8 });

/** Everything an operator or an attacker could ever see, as text: scanned for secrets at the end. */
const haystack: string[] = [];
const remember = (value: unknown) => {
  haystack.push(
    typeof value === 'string' ? value : inspect(value, { depth: 12, showHidden: true }),
  );
  try {
    haystack.push(JSON.stringify(value) ?? '');
  } catch {
    // Circular: inspect above already has it.
  }
};
let checks = 0;

interface Answer {
  status: number;
  json: Record<string, unknown>;
  text: string;
}

async function post(
  url: string,
  init: {
    headers: Array<[string, string]> | Record<string, string>;
    body?: string | Uint8Array | Readable;
  },
  through: Agent = dispatcher,
): Promise<Answer> {
  const headers = Array.isArray(init.headers) ? init.headers.flat() : init.headers;
  const response = await request(`${url}${PATH}`, {
    method: 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
    dispatcher: through,
  });
  const text = await response.body.text();
  remember({ status: response.statusCode, headers: response.headers, text });
  checks += 1;
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  return { status: response.statusCode, json, text };
}

const event = (user: string) => purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: user });
const sign = (body: string | Uint8Array, timestamp?: number, secret = WEBHOOK_SECRET) =>
  signedPurchaselyWebhook({ secret, body, ...(timestamp === undefined ? {} : { timestamp }) });

const emulator = createCustomerIoEmulator({ workspaces: [WORKSPACE] });
let customerio: LoopbackServer;
const logger = capturingLogger();
const hookCalls: unknown[] = [];
const hooks: PurchaselyBridgeConfig['hooks'] = {
  onForwarded: (info) => hookCalls.push(info),
  onSkipped: (info) => hookCalls.push(info),
  onDuplicate: (info) => hookCalls.push(info),
  onFailed: (info) => hookCalls.push(info),
};

beforeAll(async () => {
  customerio = await emulator.listen();
});
afterAll(async () => {
  await customerio?.close();
  await dispatcher.close();
});

for (const adapter of ADAPTERS) {
  describe(`security through the ${adapter} adapter`, () => {
    let server: RunningServer;
    let url: string;

    beforeAll(async () => {
      const bridge = createPurchaselyBridge({
        webhookSecret: WEBHOOK_SECRET,
        maxBodyBytes: MAX_BODY_BYTES,
        customerio: {
          ...WORKSPACE,
          baseUrl: customerio.url,
          rateLimit: false,
          timeoutMs: 300,
          retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 5 },
        },
        deliveryBudgetMs: 1500,
        logger,
        hooks,
      });
      server = await startServer(adapter, bridge);
      url = server.url;
    });
    afterAll(() => server?.close());
    beforeEach(() => {
      emulator.reset();
    });

    it('forwards a fresh, validly signed event (the baseline every refusal below differs from)', async () => {
      const answer = await post(url, await sign(JSON.stringify(event(`${adapter}-fresh`))));
      expect(answer.status).toBe(200);
      expect(answer.json.status).toBe('forwarded');
      expect(emulator.events).toHaveLength(1);
    });

    it('refuses replayed old timestamps (401 timestamp_too_old), and forwards nothing', async () => {
      for (const age of [301, 3600, 86_400, 30 * 86_400]) {
        const answer = await post(
          url,
          await sign(JSON.stringify(event(`${adapter}-old`)), nowSeconds() - age),
        );
        expect(answer.status).toBe(401);
        expect(answer.json).toEqual({ error: 'invalid_signature', reason: 'timestamp_too_old' });
      }
      expect(emulator.requests).toHaveLength(0);
    });

    it('refuses future timestamps (401 timestamp_in_future)', async () => {
      for (const ahead of [301, 3600, 86_400]) {
        const answer = await post(
          url,
          await sign(JSON.stringify(event(`${adapter}-future`)), nowSeconds() + ahead),
        );
        expect(answer.status).toBe(401);
        expect(answer.json).toEqual({ error: 'invalid_signature', reason: 'timestamp_in_future' });
      }
      expect(emulator.requests).toHaveLength(0);
    });

    it('accepts a signature inside the 300 s window, and a verbatim replay of it only as a duplicate', async () => {
      const webhook = await sign(JSON.stringify(event(`${adapter}-window`)), nowSeconds() - 290);
      expect((await post(url, webhook)).json.status).toBe('forwarded');
      const replay = await post(url, webhook);
      expect(replay.status).toBe(200);
      expect(replay.json.status).toBe('duplicate');
      expect(emulator.events).toHaveLength(1);
    });

    it('refuses the wrong secret, and a millisecond timestamp signed with it', async () => {
      const body = JSON.stringify(event(`${adapter}-wrong`));
      for (const webhook of [
        await sign(body, undefined, 'not-the-secret'),
        await sign(body, undefined, `${WEBHOOK_SECRET} `),
        await sign(body, Date.now(), 'not-the-secret'),
      ]) {
        const answer = await post(url, webhook);
        expect(answer.status).toBe(401);
        expect(answer.json.reason).toBe('signature_mismatch');
      }
      expect(emulator.requests).toHaveLength(0);
    });

    it('refuses truncated, extended, altered and prefixed signatures', async () => {
      const body = JSON.stringify(event(`${adapter}-altered`));
      const webhook = await sign(body);
      const signature = webhook.headers[PURCHASELY_SIGNATURE_HEADER] as string;
      const flip = (at: number) =>
        signature.slice(0, at) + (signature[at] === '0' ? '1' : '0') + signature.slice(at + 1);
      const variants = [
        signature.slice(0, 63),
        signature.slice(0, 32),
        signature.slice(1),
        `${signature}0`,
        `${signature}${signature}`,
        flip(0),
        flip(31),
        flip(63),
        `sha256=${signature}`,
        Buffer.from(signature, 'hex').toString('base64'),
        `${signature.slice(0, 62)}zz`,
      ];
      for (const value of variants) {
        const answer = await post(url, {
          headers: { ...webhook.headers, [PURCHASELY_SIGNATURE_HEADER]: value },
          body,
        });
        expect(answer.status, value).toBe(401);
        expect(answer.json.reason, value).toBe('signature_mismatch');
      }
      // An empty header reads as no header.
      const empty = await post(url, {
        headers: { ...webhook.headers, [PURCHASELY_SIGNATURE_HEADER]: '' },
        body,
      });
      expect(empty.json.reason).toBe('missing_signature');
      expect(emulator.requests).toHaveLength(0);
    });

    it('ACCEPTS the upper-case (and mixed-case) hex of a valid signature: the same 32 bytes, by decision', async () => {
      for (const render of [(value: string) => value.toUpperCase(), mixedCase]) {
        const body = JSON.stringify(event(`${adapter}-case-${checks}`));
        const webhook = await sign(body);
        const signature = webhook.headers[PURCHASELY_SIGNATURE_HEADER] as string;
        const answer = await post(url, {
          headers: { ...webhook.headers, [PURCHASELY_SIGNATURE_HEADER]: render(signature) },
          body,
        });
        expect(answer.status).toBe(200);
        expect(answer.json.status).toBe('forwarded');
      }
      expect(emulator.events).toHaveLength(2);
    });

    it('refuses duplicated signature and timestamp headers, whatever their values', async () => {
      const body = JSON.stringify(event(`${adapter}-dup`));
      const webhook = await sign(body);
      const signature = webhook.headers[PURCHASELY_SIGNATURE_HEADER] as string;
      const timestamp = webhook.headers[PURCHASELY_TIMESTAMP_HEADER] as string;
      const lines = (...extra: Array<[string, string]>): Array<[string, string]> => [
        ...Object.entries(webhook.headers),
        ...extra,
      ];
      const cases: Array<[Array<[string, string]>, string]> = [
        [lines([PURCHASELY_SIGNATURE_HEADER, signature]), 'signature_mismatch'],
        [lines([PURCHASELY_SIGNATURE_HEADER, '0'.repeat(64)]), 'signature_mismatch'],
        [lines(['X-Purchasely-Request-Signature', signature.toUpperCase()]), 'signature_mismatch'],
        [lines([PURCHASELY_TIMESTAMP_HEADER, timestamp]), 'invalid_timestamp'],
        [lines([PURCHASELY_TIMESTAMP_HEADER, String(Number(timestamp) - 1)]), 'invalid_timestamp'],
      ];
      for (const [headers, reason] of cases) {
        const answer = await post(url, { headers, body });
        expect(answer.status).toBe(401);
        expect(answer.json.reason).toBe(reason);
      }
      // The deprecated header, alone or beside a bad current one, never downgrades the check.
      const deprecatedOnly = Object.entries(webhook.headers).filter(
        ([name]) => name !== PURCHASELY_SIGNATURE_HEADER,
      );
      deprecatedOnly.push([PURCHASELY_DEPRECATED_SIGNATURE_HEADER, signature]);
      expect((await post(url, { headers: deprecatedOnly, body })).json.reason).toBe(
        'deprecated_signature_rejected',
      );
      const both = lines([PURCHASELY_DEPRECATED_SIGNATURE_HEADER, signature]).map(
        ([name, value]): [string, string] =>
          name === PURCHASELY_SIGNATURE_HEADER ? [name, '0'.repeat(64)] : [name, value],
      );
      expect((await post(url, { headers: both, body })).json.reason).toBe('signature_mismatch');
      expect(emulator.requests).toHaveLength(0);
    });

    it('reads a body of exactly the limit, and refuses bigger ones (413) without reading them', async () => {
      const base = event(`${adapter}-big`);
      const sized = (bytes: number) => {
        const empty = Buffer.byteLength(JSON.stringify({ ...base, padding: '' }));
        return JSON.stringify({ ...base, padding: 'x'.repeat(bytes - empty) });
      };
      // Each oversized request on its own connection: the answer comes before the upload ends, and what
      // happens to that connection afterwards is the server's business (see the README of this suite).
      const alone = async (init: Parameters<typeof post>[1]) => {
        const agent = new Agent({ connections: 1 });
        try {
          return await post(url, init, agent);
        } finally {
          await agent.destroy();
        }
      };
      const atLimit = await alone(await sign(sized(MAX_BODY_BYTES)));
      // Authentic and read; Customer.io refuses a 64 KB event (32 KB per operation), so it is acknowledged
      // as failed rather than re-delivered for weeks.
      expect(atLimit.status).toBe(200);
      expect(atLimit.json.status).toBe('failed');

      const overByOne = await alone(await sign(sized(MAX_BODY_BYTES + 1)));
      expect(overByOne.status).toBe(413);

      // 4 MB with a Content-Length: refused from the header alone.
      const huge = new Uint8Array(4 * 1024 * 1024).fill(0x20);
      const declared = await alone(await sign(huge));
      expect(declared.status).toBe(413);

      // 4 MB streamed without a Content-Length (chunked): refused once the limit is passed.
      const hugeWebhook = await sign(huge);
      async function* chunks() {
        for (let offset = 0; offset < huge.length; offset += 64 * 1024) {
          yield huge.subarray(offset, offset + 64 * 1024);
        }
      }
      const streamed = await alone({ headers: hugeWebhook.headers, body: Readable.from(chunks()) });
      expect(streamed.status).toBe(413);
      expect(emulator.events).toHaveLength(0);

      // And the server still serves.
      const after = await post(url, await sign(JSON.stringify(event(`${adapter}-after-big`))));
      expect(after.json.status).toBe('forwarded');
    });

    it('keeps secrets out of answers, logs and errors when Customer.io fails in every way', async () => {
      const cases: Array<[Parameters<typeof emulator.faults.next>, number]> = [
        [[{ status: 503 }, { status: 503 }], 503],
        [[{ status: 400, body: '{"meta":{"error":"bad"}}' }], 200],
        [[{ hangMs: 2000 }, { hangMs: 2000 }], 503],
        [['drop', 'drop'], 503],
        [['drop-after'], 200],
        [[{ status: 401, body: 'Unauthorized request' }], 503],
      ];
      for (const [steps, status] of cases) {
        emulator.faults.next(...steps);
        const answer = await post(
          url,
          await sign(JSON.stringify(event(`${adapter}-fail-${checks}`))),
        );
        expect(answer.status, JSON.stringify(steps)).toBe(status);
      }
    });
  });
}

describe('secrets appear nowhere', () => {
  it('not with the wrong API key, not in configuration errors, not in anything recorded', async () => {
    // A bridge whose API key Customer.io refuses (503, Purchasely re-delivers once it is fixed).
    const refused = createPurchaselyBridge({
      webhookSecret: WEBHOOK_SECRET,
      customerio: {
        siteId: SITE_ID,
        apiKey: WRONG_API_KEY,
        region: 'us',
        baseUrl: customerio.url,
        retry: false,
      },
      logger,
      hooks,
    });
    const server = await startServer('fetch', refused);
    const answer = await post(server.url, await sign(JSON.stringify(event('wrong-key'))));
    await server.close();
    expect(answer.status).toBe(503);
    expect(answer.json).toEqual({ error: 'customerio_unavailable', reason: 'credentials' });

    // Configuration mistakes name the setting, never the values.
    const mistakes: Array<Partial<PurchaselyBridgeConfig>> = [
      { customerio: { siteId: SITE_ID, apiKey: API_KEY, region: 'mars' as 'us' } },
      { customerio: { siteId: SITE_ID, apiKey: API_KEY, region: 'us', timeoutMs: -1 } },
      { webhookSecret: [WEBHOOK_SECRET, ''] },
      { deliveryBudgetMs: -5 },
      { names: { SUBSCRIPTION_RENEWED: 'x'.repeat(101) } },
      { customerio: { siteId: '', apiKey: API_KEY, region: 'us' } },
    ];
    let configErrors = 0;
    for (const mistake of mistakes) {
      try {
        createPurchaselyBridge({
          webhookSecret: WEBHOOK_SECRET,
          customerio: { siteId: SITE_ID, apiKey: API_KEY, region: 'us' },
          ...mistake,
        });
      } catch (error) {
        configErrors += 1;
        remember(error);
        remember(String(error));
        remember((error as Error).stack);
      }
    }
    expect(configErrors).toBe(mistakes.length);

    for (const line of logger.lines) remember(line);
    for (const call of hookCalls) remember(call);
    for (const recorded of emulator.requests) remember(recorded);

    const leaks = SECRETS.flatMap((secret) =>
      haystack
        .filter((text) => text.includes(secret))
        .map((text) => `${secret.slice(0, 6)}…: ${text.slice(0, 300)}`),
    );
    recordFigures('security', {
      checks,
      adapters: ADAPTERS.join(' '),
      logLines: logger.lines.length,
      hookCalls: hookCalls.length,
      configErrors,
      textsScanned: haystack.length,
      secretLeaks: leaks.length,
      upperCaseHex: 'accepted (same 32 bytes; verify.ts)',
    });
    expect(logger.lines.some((line) => line.level === 'debug')).toBe(true);
    expect(hookCalls.length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });
});

function mixedCase(value: string): string {
  return [...value].map((char, index) => (index % 2 === 0 ? char.toUpperCase() : char)).join('');
}
