import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/**
 * The Node side shared by the Node adapters: an `IncomingMessage` in as a fetch `Request` (so the bridge's own
 * body limit and answer table apply), a fetch `Response` back out through `ServerResponse`.
 */
export function toWebRequest(
  request: IncomingMessage,
  body: Uint8Array | string | 'stream',
): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const method = request.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (method !== 'GET' && method !== 'HEAD') {
    init.body =
      body === 'stream'
        ? (Readable.toWeb(request) as ReadableStream<Uint8Array>)
        : typeof body === 'string'
          ? body
          : new Uint8Array(body);
    // Node's fetch requires it for a streamed body.
    init.duplex = 'half';
  }
  return new Request(`http://localhost${request.url ?? '/'}`, init);
}

/** Writes a fetch `Response` to Node's `ServerResponse`. */
export async function writeWebResponse(response: Response, target: ServerResponse): Promise<void> {
  target.statusCode = response.status;
  response.headers.forEach((value, name) => {
    target.setHeader(name, value);
  });
  target.end(Buffer.from(await response.arrayBuffer()));
}
