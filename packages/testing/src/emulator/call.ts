import type { EmulatorRegion } from './types.js';

/** A request reduced to what the emulator reads, so every door (fetch, msw, loopback) feeds the same rules. */
export interface IncomingCall {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
  /** Region whose host the call is treated as reaching. */
  region: EmulatorRegion;
  /** Which door it came through; redirects from loopback prefer a loopback server of the target region. */
  door: 'network' | 'loopback';
  signal?: AbortSignal | undefined;
}

/** What the emulator does with a call: answer it, or drop the connection. */
export type CallOutcome =
  | { kind: 'answer'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'drop' };

export const jsonAnswer = (status: number, body: unknown): CallOutcome => ({
  kind: 'answer',
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const textAnswer = (status: number, body: string): CallOutcome => ({
  kind: 'answer',
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body,
});

/** Customer.io's success body on every Track endpoint. */
export const okAnswer = (): CallOutcome => jsonAnswer(200, {});

export const dropOutcome: CallOutcome = { kind: 'drop' };
