import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyProblem, BridgeResponse } from '@purchasely-customerio/core';

/**
 * The Node side shared by the Node adapters. The body is read straight from the `IncomingMessage` and handed
 * to `bridge.handle()`: no Web `Request` is built, which the benchmarks showed to be the Express path's main
 * overhead.
 *
 * The adapter only reads: whatever goes wrong is handed to the bridge as a {@link BodyProblem}, and the bridge
 * answers it from its one answer table (and logs it), as it does for the fetch and Hono adapters.
 * - A declared `Content-Length` over `maxBytes` is `too_large` before a byte is read: waiting for a body we
 *   would refuse anyway only lets the sender hold the connection.
 * - Reading stops one byte past `maxBytes` (`too_large`): the rest of an oversized upload is never buffered.
 * - The whole body must arrive within `timeoutMs` (`timed_out`): Node's own `requestTimeout` is 5 minutes,
 *   so without this a sender trickling a byte a second holds the connection that long. The bridge's answer
 *   to both carries `connection: close`, so Node closes the socket once the answer is written.
 * - A stream that fails or closes early (the sender went away) is `unreadable`.
 */
export function readNodeBody(
  request: IncomingMessage,
  maxBytes: number,
  timeoutMs: number,
): Promise<Uint8Array | BodyProblem> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.resolve({ problem: 'too_large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: Uint8Array | BodyProblem) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => settle({ problem: 'timed_out' }), timeoutMs);
    request.on('data', (chunk: Buffer | string) => {
      // Once settled the stream keeps flowing and is discarded, so the answer goes out on a healthy socket
      // (paused, the unread bytes would back up and the answer might never be read).
      if (settled) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(bytes);
      size += bytes.byteLength;
      if (size > maxBytes) settle({ problem: 'too_large' });
    });
    request.on('end', () => settle(Buffer.concat(chunks, size)));
    // Either one means the sender went away mid-upload ('close' alone when Node does not raise an error).
    request.on('error', () => settle({ problem: 'unreadable' }));
    request.on('close', () => settle({ problem: 'unreadable' }));
  });
}

/** Writes the bridge's answer to Node's `ServerResponse`. */
export function writeBridgeResponse(answer: BridgeResponse, target: ServerResponse): void {
  target.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) target.setHeader(name, value);
  target.end(answer.body);
}
