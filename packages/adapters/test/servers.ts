import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
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

/** What a raw client saw: the status of the answer, when it came, and when the server closed the socket. */
export interface RawExchange {
  /** The answer's status, or undefined when none came before `giveUpMs`. */
  status: number | undefined;
  /** The answer's raw text (status line, headers, body). */
  answer: string;
  /** Milliseconds from the end of the request headers to the first byte of the answer. */
  answeredAfterMs: number | undefined;
  /** Milliseconds from the end of the request headers until the server closed the connection. */
  closedAfterMs: number | undefined;
  /** Body bytes written before the answer came. */
  bytesSentBeforeAnswer: number;
}

/**
 * Sends a POST over a raw `node:net` socket: the headers (declaring `contentLength`), then one byte every
 * `trickleEveryMs` (or nothing at all when it is omitted). `fetch` cannot do either: it sends a body as fast as
 * it can and never declares a length it does not send. Gives up after `giveUpMs`.
 */
export function rawPost(
  url: string,
  path: string,
  options: { contentLength: number; trickleEveryMs?: number; giveUpMs: number },
): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const started = performance.now();
    let answer = '';
    let answeredAfterMs: number | undefined;
    let bytesSentBeforeAnswer = 0;
    let trickle: ReturnType<typeof setInterval> | undefined;
    let finished = false;
    const done = (closedAfterMs: number | undefined) => {
      if (finished) return;
      finished = true;
      clearInterval(trickle);
      clearTimeout(giveUp);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      resolve({
        status: status === undefined ? undefined : Number(status),
        answer,
        answeredAfterMs,
        closedAfterMs,
        bytesSentBeforeAnswer,
      });
    };
    const giveUp = setTimeout(() => done(undefined), options.giveUpMs);
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\ncontent-type: application/json\r\n` +
          `content-length: ${options.contentLength}\r\n\r\n`,
      );
      if (options.trickleEveryMs === undefined) return;
      trickle = setInterval(() => {
        if (answeredAfterMs !== undefined || socket.destroyed || !socket.writable) return;
        socket.write(' ');
        bytesSentBeforeAnswer += 1;
      }, options.trickleEveryMs);
    });
    socket.on('data', (chunk) => {
      answeredAfterMs ??= performance.now() - started;
      answer += chunk.toString('latin1');
    });
    // Writing to a socket the server closed fails with EPIPE or ECONNRESET: that is the close we wait for.
    socket.on('error', () => undefined);
    socket.on('close', () => done(performance.now() - started));
  });
}
