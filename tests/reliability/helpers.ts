import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { purchaselyWebhook as expressWebhook } from '@purchasely-customerio/adapters/express';
import { purchaselyWebhook as fetchWebhook } from '@purchasely-customerio/adapters/fetch';
import { purchaselyWebhook as honoWebhook } from '@purchasely-customerio/adapters/hono';
import type { BridgeLogger, PurchaselyBridge } from '@purchasely-customerio/core';
import express from 'express';
import { Hono } from 'hono';

export const PATH = '/webhooks/purchasely';
export const WEBHOOK_SECRET = 'whsec_reliability_5e3c7a1b9d2f4068';
export const SITE_ID = 'site-reliability';
export const API_KEY = 'cio_track_key_RELIABILITY_c0ffee42';
export const WORKSPACE = { siteId: SITE_ID, apiKey: API_KEY, region: 'us' } as const;

/** The statuses of the bridge's answer table (`STATUS_BY_OUTCOME`). */
export const TABLE_STATUSES = new Set([200, 400, 401, 405, 408, 413, 500, 503]);

/** A whole number from the environment, or the CI-sized default. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name}: expected a number, got ${raw}`);
  return value;
}

/** A real server on a free loopback port. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export type AdapterName = 'express' | 'hono' | 'fetch';
export const ADAPTERS: readonly AdapterName[] = ['express', 'hono', 'fetch'];

/** Mounts `bridge` with one adapter, as its README says, on a real `node:http` server on loopback. */
export function startServer(
  adapter: AdapterName,
  bridge: PurchaselyBridge,
): Promise<RunningServer> {
  if (adapter === 'express') {
    const app = express();
    app.all(PATH, expressWebhook(bridge));
    return listen(createServer(app));
  }
  if (adapter === 'hono') {
    const app = new Hono();
    app.on(['POST', 'PUT', 'GET', 'DELETE', 'PATCH'], PATH, honoWebhook(bridge));
    return listen(createAdaptorServer({ fetch: app.fetch }) as Server);
  }
  const handler = fetchWebhook(bridge);
  return listen(
    createAdaptorServer({
      fetch: (request: Request) =>
        new URL(request.url).pathname === PATH
          ? handler(request)
          : new Response(null, { status: 404 }),
    }) as Server,
  );
}

function listen(server: Server): Promise<RunningServer> {
  // Thousands of connections may arrive at once in the load test.
  server.maxRequestsPerSocket = 0;
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  object: Record<string, unknown>;
  message: string;
}

/** A pino-shaped logger that keeps every line, at every level (debug included). */
export function capturingLogger(): BridgeLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (object: Record<string, unknown>, message: string) => {
    lines.push({ level, object, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A small, seeded PRNG (mulberry32), so every run generates the same traffic for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Figures = Record<string, number | string | boolean>;

const partsDirectory = new URL('./results/parts/', import.meta.url);

/**
 * Keeps one part's figures for the summary the global teardown prints and writes to `results/latest.json`,
 * and prints them now, so a failing later part does not hide them.
 */
export function recordFigures(part: string, figures: Figures): void {
  mkdirSync(partsDirectory, { recursive: true });
  writeFileSync(new URL(`${part}.json`, partsDirectory), `${JSON.stringify(figures, null, 2)}\n`);
  const width = Math.max(...Object.keys(figures).map((key) => key.length));
  const lines = Object.entries(figures).map(([key, value]) => `  ${key.padEnd(width)}  ${value}`);
  console.log(`\n[reliability] ${part}\n${lines.join('\n')}\n`);
}

export const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
