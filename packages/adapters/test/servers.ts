import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from './conformance.js';

/** Starts a `node:http`-compatible server on a free loopback port. */
export function listenOnLoopback(server: Server): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}
