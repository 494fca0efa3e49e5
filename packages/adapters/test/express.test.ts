import { createServer } from 'node:http';
import {
  type BridgeLogger,
  createPurchaselyBridge,
  type PurchaselyBridge,
} from '@purchasely-customerio/core';
import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaselyWebhook } from '../src/express.js';
import { PATH, type RunningServer, SECRET, testAdapterConformance } from './conformance.js';
import { listenOnLoopback } from './servers.js';

/** For cases answered before any delivery: Customer.io points at a closed port. */
const bridgeThatNeverReachesCustomerIo = (logger: BridgeLogger | false = false) =>
  createPurchaselyBridge({
    webhookSecret: SECRET,
    logger,
    customerio: { siteId: 'site', apiKey: 'key', region: 'us', baseUrl: 'http://127.0.0.1:9' },
  });

/** A logger that records every call, to check what an operator would see. */
const recordingLogger = (
  calls: Array<{ level: string; fields: Record<string, unknown>; message: string }>,
): BridgeLogger => {
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      calls.push({ level, fields, message });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
};

// Express 4's typings differ from 5's; the handler's fit with each is checked in express.test-d.ts.
const versions: Array<[string, typeof express5]> = [
  ['Express 5', express5],
  ['Express 4', express4 as unknown as typeof express5],
];

for (const [version, express] of versions) {
  testAdapterConformance(version, (bridge, path) => {
    const app = express();
    app.all(path, purchaselyWebhook(bridge));
    return listenOnLoopback(createServer(app));
  });

  testAdapterConformance(
    `${version} behind express.raw()`,
    (bridge, path) => {
      const app = express();
      app.all(path, express.raw({ type: '*/*', limit: '10mb' }), purchaselyWebhook(bridge));
      return listenOnLoopback(createServer(app));
    },
    { bodyReadBefore: 'express.raw()' },
  );

  // The two ways express.json() ends up in front of the webhook: each needs its own fix, and the answer and
  // the log must give both (the adapter cannot tell which one it is).
  const parserMounts: Array<
    [string, (app: ReturnType<typeof express>, bridge: PurchaselyBridge) => void]
  > = [
    [
      'for the whole app (app.use)',
      (app, bridge) => {
        app.use(express.json());
        app.post(PATH, purchaselyWebhook(bridge));
      },
    ],
    ['on the route', (app, bridge) => app.post(PATH, express.json(), purchaselyWebhook(bridge))],
  ];
  for (const [where, mount] of parserMounts) {
    describe(`${version} with express.json() mounted ${where} before the webhook`, () => {
      let server: RunningServer;
      const logged: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
      beforeAll(async () => {
        const app = express();
        mount(app, bridgeThatNeverReachesCustomerIo(recordingLogger(logged)));
        server = await listenOnLoopback(createServer(app));
      });
      afterAll(() => server.close());

      it('answers 500 with advice for both mounts, and logs it as an error', async () => {
        const webhook = await signedPurchaselyWebhook({
          secret: SECRET,
          body: purchaselyEvent('TRIAL_STARTED'),
        });
        const response = await fetch(`${server.url}${PATH}`, { method: 'POST', ...webhook });
        expect(response.status).toBe(500);
        const body = (await response.json()) as { error: string; message: string };
        expect(body.error).toBe('misconfigured');
        // A global parser: register the route first, or make the parser skip this path.
        expect(body.message).toMatch(/before app\.use\(express\.json\(\)\)/);
        expect(body.message).toMatch(/skip this path/);
        // A route-level parser: express.raw() on this route.
        expect(body.message).toMatch(
          /express\.raw\(\{ type: 'application\/json' \}\) on this route/,
        );
        expect(logged).toEqual([
          {
            level: 'error',
            fields: expect.any(Object),
            message: expect.stringContaining(body.message),
          },
        ]);
      });
    });
  }
}

testAdapterConformance('node:http', (bridge, path) => {
  const handler = purchaselyWebhook(bridge);
  return listenOnLoopback(
    createServer((request, response) => {
      if (request.url === path) void handler(request, response);
      else response.writeHead(404).end();
    }),
  );
});

describe('Express with a body far over the default 1 MB limit', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const app = express5();
    app.post(PATH, purchaselyWebhook(bridgeThatNeverReachesCustomerIo()));
    server = await listenOnLoopback(createServer(app));
  });
  afterAll(() => server.close());

  it('answers 413 without buffering the rest, and the server keeps serving', async () => {
    const huge = new Uint8Array(5 * 1024 * 1024).fill(0x61);
    const response = await fetch(`${server.url}${PATH}`, { method: 'POST', body: huge });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'payload_too_large' });
    const unsigned = await fetch(`${server.url}${PATH}`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(401);
  });
});
