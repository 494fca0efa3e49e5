import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PurchaselyBridge } from '@purchasely-customerio/core';

/** Waits until `check` holds, polling. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A bridge behind a real HTTP server on loopback, as a deployed route: `url` is its webhook route. */
export async function serveBridge(
  bridge: Pick<PurchaselyBridge, 'handle'>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = await bridge.handle({
      method: request.method ?? 'GET',
      headers: request.headers,
      body: new Uint8Array(Buffer.concat(chunks)),
    });
    response.writeHead(answer.status, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/purchasely`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
