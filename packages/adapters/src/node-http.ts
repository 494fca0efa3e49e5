import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BridgeResponse } from '@purchasely-customerio/core';

/**
 * The Node side shared by the Node adapters. The body is read straight from the `IncomingMessage` and handed
 * to `bridge.handle()`: no Web `Request` is built, which the benchmarks showed to be the Express path's main
 * overhead.
 *
 * Reading stops one byte past `maxBytes`: the bridge then sees an oversized body and answers 413 from its
 * own table, while the rest of an oversized upload is never buffered.
 */
export function readNodeBody(request: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, Math.min(size, maxBytes + 1)));
    };
    request.on('data', (chunk: Buffer | string) => {
      // Past the limit the stream keeps flowing and is discarded, so the 413 goes out on a healthy socket.
      if (settled) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(bytes);
      size += bytes.byteLength;
      if (size > maxBytes) finish();
    });
    request.on('end', finish);
    request.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
  });
}

/** Writes the bridge's answer to Node's `ServerResponse`. */
export function writeBridgeResponse(answer: BridgeResponse, target: ServerResponse): void {
  target.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) target.setHeader(name, value);
  target.end(answer.body);
}
