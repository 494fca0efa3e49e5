/** The bridge between Web `Request`/`Response` and the emulator's calls, shared by every door. */

import type { CallOutcome, IncomingCall } from './emulator/call.js';
import { regionOfHost } from './emulator/regions.js';
import type { EmulatorRegion } from './emulator/types.js';

/**
 * Reads the body once. The region is the `x-emulated-host` header's if it names a Track host, else
 * the URL host's, else `fallbackRegion` (a loopback server's own region).
 */
export async function toCall(
  request: Request,
  door: IncomingCall['door'],
  fallbackRegion: EmulatorRegion,
): Promise<IncomingCall> {
  const url = new URL(request.url);
  const emulatedHost = request.headers.get('x-emulated-host');
  const region =
    (emulatedHost === null ? undefined : regionOfHost(emulatedHost)) ??
    (door === 'network' ? regionOfHost(url.host) : undefined) ??
    fallbackRegion;
  const method = request.method.toUpperCase();
  const body = method === 'GET' || method === 'HEAD' ? '' : await request.text();
  return { method, url, headers: request.headers, body, region, door, signal: request.signal };
}

const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

export function toResponse(outcome: Extract<CallOutcome, { kind: 'answer' }>): Response {
  return new Response(nullBodyStatuses.has(outcome.status) ? null : outcome.body, {
    status: outcome.status,
    headers: outcome.headers,
  });
}
