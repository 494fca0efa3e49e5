import { type HttpHandler, HttpResponse, http } from 'msw';
import type { CallHandler } from './emulator/pipeline.js';
import { trackUrlByRegion } from './emulator/regions.js';
import { toCall, toResponse } from './web.js';

/** One catch-all handler per Track host; routing, including 404s, is the emulator's job. */
export function createMswHandlers(handle: CallHandler): HttpHandler[] {
  return Object.values(trackUrlByRegion).map((baseUrl) =>
    http.all(`${baseUrl}/*`, async ({ request }) => {
      const outcome = await handle(await toCall(request, 'network', 'us'));
      return outcome.kind === 'drop' ? HttpResponse.error() : toResponse(outcome);
    }),
  );
}
