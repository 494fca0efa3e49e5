import type { CallHandler } from './emulator/pipeline.js';
import { toCall, toResponse } from './web.js';

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const maxRedirects = 20;

/**
 * The emulator as a `fetch` function. It behaves as `fetch` would against the real hosts,
 * including redirects: with the default `redirect: 'follow'`, a 301 turns a POST into a bodiless
 * GET and a cross-origin hop drops `Authorization`, which is why Customer.io clients follow
 * redirects by hand with `redirect: 'manual'`.
 */
export function createEmulatorFetch(handle: CallHandler) {
  return async function emulatorFetch(
    input: Request | string | URL,
    init?: RequestInit,
  ): Promise<Response> {
    let request = new Request(input, init);
    for (let hop = 0; ; hop += 1) {
      const call = await toCall(request, 'network', 'us');
      const outcome = await handle(call);
      if (outcome.kind === 'drop') {
        if (request.signal.aborted) throw request.signal.reason;
        throw fetchFailed('other side closed', 'UND_ERR_SOCKET');
      }
      const response = toResponse(outcome);
      const location = response.headers.get('location');
      if (
        !redirectStatuses.has(response.status) ||
        location === null ||
        request.redirect === 'manual'
      ) {
        return response;
      }
      if (request.redirect === 'error') {
        throw fetchFailed('unexpected redirect', 'UND_ERR_REDIRECT');
      }
      if (hop >= maxRedirects) throw fetchFailed('redirect count exceeded', 'UND_ERR_REDIRECT');
      request = followRedirect(request, call.body, response.status, new URL(location, request.url));
    }
  };
}

/** The Fetch standard's redirect rules, applied to a request whose body was already read. */
function followRedirect(previous: Request, body: string, status: number, target: URL): Request {
  const method = previous.method.toUpperCase();
  const becomesGet =
    ((status === 301 || status === 302) && method === 'POST') ||
    (status === 303 && method !== 'GET' && method !== 'HEAD');
  const headers = new Headers(previous.headers);
  if (becomesGet) {
    for (const name of [
      'content-type',
      'content-length',
      'content-encoding',
      'content-language',
      'content-location',
    ]) {
      headers.delete(name);
    }
  }
  if (target.origin !== new URL(previous.url).origin) {
    for (const name of ['authorization', 'proxy-authorization', 'cookie']) headers.delete(name);
  }
  const keepsBody = !becomesGet && method !== 'GET' && method !== 'HEAD';
  return new Request(target, {
    method: becomesGet ? 'GET' : method,
    headers,
    ...(keepsBody ? { body } : {}),
    redirect: previous.redirect,
    signal: previous.signal,
  });
}

/** Shaped like undici's network failure so retry logic written for real fetch recognises it. */
function fetchFailed(reason: string, code: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(reason), { code }) });
}
