/// <reference lib="esnext.disposable" />

/**
 * The emulator over real HTTP. `node:http` is imported only when a server starts, so the package
 * entry loads on any runtime; only the few members used here are typed, for the same reason.
 */

import type { CallHandler } from './emulator/pipeline.js';
import type { EmulatorRegion, ListenOptions, LoopbackServer } from './emulator/types.js';
import { toCall } from './web.js';

interface NodeRequest extends AsyncIterable<Uint8Array | string> {
  method?: string;
  url?: string;
  rawHeaders: string[];
  socket: { destroy(): void };
}

interface NodeResponse {
  readonly writableFinished: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body?: string): unknown;
  on(event: 'close', listener: () => void): unknown;
}

interface NodeServer {
  listen(port: number, host: string, callback: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  address(): { port: number } | string | null;
  close(callback: (error?: Error) => void): unknown;
  closeAllConnections?(): void;
}

interface NodeHttp {
  createServer(listener: (request: NodeRequest, response: NodeResponse) => void): NodeServer;
}

/** Hop-by-hop headers describe the socket, not the request, and a Web `Request` may refuse them. */
const connectionHeaders = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
]);

export interface LoopbackRegistry {
  add(region: EmulatorRegion, url: string): void;
  remove(region: EmulatorRegion, url: string): void;
}

export async function listenOnLoopback(
  handle: CallHandler,
  registry: LoopbackRegistry,
  options: ListenOptions = {},
): Promise<LoopbackServer> {
  // A variable specifier keeps bundlers and the neutral type build from resolving node:http.
  const httpModule = 'node:http';
  const http = (await import(/* @vite-ignore */ httpModule)) as NodeHttp;
  const region = options.region ?? 'us';
  const host = options.host ?? '127.0.0.1';
  const inFlight = new Set<AbortController>();

  const server = http.createServer((request, response) => {
    const controller = new AbortController();
    inFlight.add(controller);
    response.on('close', () => {
      inFlight.delete(controller);
      if (!response.writableFinished) controller.abort();
    });
    serve(request, response, controller.signal).catch((error: unknown) => {
      if (response.writableFinished) return;
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`emulator error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  async function serve(
    request: NodeRequest,
    response: NodeResponse,
    signal: AbortSignal,
  ): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const body = await readBody(request);
    const headers = new Headers();
    for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
      const name = request.rawHeaders[index] as string;
      if (!connectionHeaders.has(name.toLowerCase())) {
        headers.append(name, request.rawHeaders[index + 1] as string);
      }
    }
    const webRequest = new Request(new URL(request.url ?? '/', url), {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
      signal,
    });
    const outcome = await handle(await toCall(webRequest, 'loopback', region));
    if (outcome.kind === 'drop') {
      request.socket.destroy();
      return;
    }
    response.writeHead(outcome.status, outcome.headers);
    response.end(outcome.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  registry.add(region, url);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      registry.remove(region, url);
      for (const controller of inFlight) controller.abort();
      server.close((error) => (error ? reject(error) : resolve()));
      // Idle keep-alive sockets would otherwise hold close() open until they time out.
      server.closeAllConnections?.();
    });
    return closing;
  };
  return { url, region, close, [Symbol.asyncDispose]: close };
}

async function readBody(request: NodeRequest): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of request) {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
