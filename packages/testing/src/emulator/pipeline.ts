/**
 * The one path every request takes, whichever door it came through: record, faults, auth,
 * rate limit, region, then the v1 or v2 routes.
 */

import { authenticate } from './auth.js';
import {
  type CallOutcome,
  dropOutcome,
  type IncomingCall,
  jsonAnswer,
  textAnswer,
} from './call.js';
import type { FaultPlan } from './faults.js';
import type { RateLimiter } from './rate-limit.js';
import { trackHostByRegion, trackUrlByRegion } from './regions.js';
import { type RouteContext, routeV1 } from './routes-v1.js';
import { routeV2 } from './routes-v2.js';
import type { ApplyResult, WorkspaceState } from './state.js';
import type { EmulatorRegion, EmulatorStats, FaultStep, RecordedRequest } from './types.js';

export interface PipelineDependencies {
  states: ReadonlyMap<string, WorkspaceState>;
  faults: FaultPlan;
  rateLimiter: RateLimiter | undefined;
  now: () => number;
  stats: EmulatorStats;
  requests: RecordedRequest[];
  /** Base URLs of running loopback servers, so a redirect from loopback can stay on loopback. */
  loopbackUrls: ReadonlyMap<EmulatorRegion, string>;
}

export type CallHandler = (call: IncomingCall) => Promise<CallOutcome>;

export function createPipeline(dependencies: PipelineDependencies): CallHandler {
  const { faults, stats, requests } = dependencies;
  return async (call) => {
    stats.requests += 1;
    const record = recordCall(call);
    requests.push(record);

    const fault = faults.take({ method: call.method, path: call.url.pathname });
    if (fault !== undefined) stats.faultsInjected += 1;
    const outcome = await withFault(fault, call, () => respond(call, record, dependencies));
    record.status = outcome.kind === 'answer' ? outcome.status : 0;
    return outcome;
  };
}

async function withFault(
  fault: FaultStep | undefined,
  call: IncomingCall,
  handle: () => CallOutcome,
): Promise<CallOutcome> {
  if (fault === undefined) return handle();
  if (fault === 'drop') return dropOutcome;
  if (fault === 'drop-after') {
    // The request is applied, then the answer is lost on the way back.
    handle();
    return dropOutcome;
  }
  if ('hangMs' in fault) {
    await sleep(fault.hangMs, call.signal);
    return dropOutcome;
  }
  if ('delayMs' in fault) {
    const completed = await sleep(fault.delayMs, call.signal);
    return completed ? handle() : dropOutcome;
  }
  const headers: Record<string, string> = { ...lowerCaseKeys(fault.headers ?? {}) };
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  return { kind: 'answer', status: fault.status, headers, body: fault.body ?? '' };
}

function respond(
  call: IncomingCall,
  record: RecordedRequest,
  dependencies: PipelineDependencies,
): CallOutcome {
  const { states, rateLimiter, now, stats } = dependencies;
  const state = authenticate(call.headers.get('authorization'), states);
  // Customer.io's Track 401 has been plain text, not JSON (customerio-node#71); clients must cope.
  if (state === undefined) return textAnswer(401, 'Unauthorized request');
  const { workspace } = state;
  record.siteId = workspace.siteId;

  const nowMs = now();
  if (rateLimiter?.isOverLimit(workspace.siteId, nowMs)) {
    stats.rateLimited += 1;
    // Track documents no 429 at all; the body mirrors its other v1 errors.
    return {
      kind: 'answer',
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '1' },
      body: JSON.stringify({ meta: { error: 'rate limit exceeded' } }),
    };
  }

  const segments = pathSegments(call.url.pathname);
  if (segments === undefined) return notFound();
  if (call.method === 'GET' && segments.join('/') === 'api/v1/accounts/region') {
    // Answers on either host: this is how a client discovers where it should have gone.
    return jsonAnswer(200, {
      url: trackUrlByRegion[workspace.region],
      region: workspace.region,
      environment_id: workspace.environmentId,
    });
  }

  if (workspace.region !== call.region) {
    if (workspace.region === 'us') return textAnswer(401, 'Unauthorized request');
    return redirectToEu(call, dependencies.loopbackUrls);
  }

  const context: RouteContext = {
    state,
    nowMs,
    report: (result: ApplyResult) => {
      if (result === 'dropped') stats.droppedOperations += 1;
      if (result === 'duplicate') stats.duplicateEvents += 1;
    },
  };
  const [api, version] = segments;
  const routed =
    api !== 'api'
      ? undefined
      : version === 'v1'
        ? routeV1(call.method, segments, call.body, context)
        : version === 'v2'
          ? routeV2(call.method, segments, call.body, context)
          : undefined;
  return routed ?? notFound();
}

/**
 * Customer.io redirects EU traffic sent to the US host; the status is unconfirmed, 301 is the
 * one seen from the App API (customerio-node#134), and so is this body.
 */
function redirectToEu(
  call: IncomingCall,
  loopbackUrls: ReadonlyMap<EmulatorRegion, string>,
): CallOutcome {
  const base = (call.door === 'loopback' && loopbackUrls.get('eu')) || trackUrlByRegion.eu;
  return {
    kind: 'answer',
    status: 301,
    headers: {
      'content-type': 'application/json',
      location: `${base}${call.url.pathname}${call.url.search}`,
    },
    body: JSON.stringify({ errors: [{ detail: 'wrong datacenter', status: '301' }] }),
  };
}

function notFound(): CallOutcome {
  return textAnswer(404, '404 page not found');
}

/** Decoded path segments; identifiers arrive percent-encoded (`%40` for `@`, `%2F` for `/`). */
function pathSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

const secretHeaders = new Set(['authorization', 'proxy-authorization']);

function recordCall(call: IncomingCall): RecordedRequest {
  const headers: Record<string, string> = {};
  call.headers.forEach((value, name) => {
    headers[name] = secretHeaders.has(name) ? '[redacted]' : value;
  });
  return {
    method: call.method,
    url: call.url.href,
    host: trackHostByRegion[call.region],
    path: `${call.url.pathname}${call.url.search}`,
    headers,
    body: call.body,
    status: 0,
  };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

/** Resolves `true` after `ms`, or `false` as soon as the caller gives up. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
