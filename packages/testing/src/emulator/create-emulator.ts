import { createEmulatorFetch } from '../fetch-door.js';
import { listenOnLoopback } from '../loopback-server.js';
import { createMswHandlers } from '../msw.js';
import { FaultPlan } from './faults.js';
import { createPipeline } from './pipeline.js';
import { RateLimiter } from './rate-limit.js';
import { WorkspaceState } from './state.js';
import type {
  CustomerIoEmulator,
  EmulatorOptions,
  EmulatorRegion,
  EmulatorStats,
  EmulatorWorkspace,
  EmulatorWorkspaceView,
  RecordedRequest,
} from './types.js';

const defaultWorkspace: EmulatorWorkspace = {
  siteId: 'test-site',
  apiKey: 'test-key',
  region: 'us',
};

const emptyStats = (): EmulatorStats => ({
  duplicateEvents: 0,
  rateLimited: 0,
  faultsInjected: 0,
  requests: 0,
  droppedOperations: 0,
});

/**
 * Creates an in-memory Customer.io Track API (v1 and v2) with the real API's auth, regions,
 * limits, error bodies and dedupe, plus scripted faults. One emulator can be reached three ways
 * at once, all sharing its state: `emulator.fetch`, msw `emulator.handlers`, and `emulator.listen()`.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { createCustomerIoEmulator } from '@purchasely-customerio/testing';
 *
 * const emulator = createCustomerIoEmulator();
 * const server = setupServer(...emulator.handlers);
 * server.listen({ onUnhandledRequest: 'bypass' }); // let requests to your own servers through, unlogged
 *
 * await fetch('https://track.customer.io/api/v1/customers/42', {
 *   method: 'PUT',
 *   headers: { authorization: `Basic ${btoa('test-site:test-key')}`, 'content-type': 'application/json' },
 *   body: JSON.stringify({ plan: 'premium' }),
 * });
 * emulator.people.get('42')?.attributes; // { plan: 'premium' }
 *
 * emulator.faults.next({ status: 503, retryAfter: 2 }); // the next request fails once
 * ```
 */
export function createCustomerIoEmulator(options: EmulatorOptions = {}): CustomerIoEmulator {
  const workspaces = (options.workspaces ?? [defaultWorkspace]).map((workspace, index) => ({
    ...workspace,
    environmentId: workspace.environmentId ?? index + 1,
  }));
  const first = workspaces[0];
  if (first === undefined) {
    throw new RangeError('createCustomerIoEmulator: workspaces must not be empty');
  }
  const states = new Map<string, WorkspaceState>();
  for (const workspace of workspaces) {
    if (states.has(workspace.siteId)) {
      throw new RangeError(`createCustomerIoEmulator: duplicate siteId '${workspace.siteId}'`);
    }
    states.set(workspace.siteId, new WorkspaceState(workspace));
  }
  const firstState = states.get(first.siteId) as WorkspaceState;

  const now = options.now ?? Date.now;
  const faults = new FaultPlan();
  const rateLimiter = options.rateLimit
    ? new RateLimiter(options.rateLimit.requestsPerSecond)
    : undefined;
  const requests: RecordedRequest[] = [];
  const stats = emptyStats();
  const loopbackUrls = new Map<EmulatorRegion, string>();
  const handle = createPipeline({
    states,
    faults,
    rateLimiter,
    now,
    stats,
    requests,
    loopbackUrls,
  });
  const registry = {
    add: (region: EmulatorRegion, url: string) => loopbackUrls.set(region, url),
    remove: (region: EmulatorRegion, url: string) => {
      if (loopbackUrls.get(region) === url) loopbackUrls.delete(region);
    },
  };
  let handlers: ReturnType<typeof createMswHandlers> | undefined;

  return {
    fetch: createEmulatorFetch(handle),
    get handlers() {
      handlers ??= createMswHandlers(handle);
      return handlers;
    },
    listen: (listenOptions) => listenOnLoopback(handle, registry, listenOptions),
    get people() {
      return firstState.people;
    },
    get events() {
      return firstState.events;
    },
    workspace(siteId: string): EmulatorWorkspaceView {
      const state = states.get(siteId);
      if (state === undefined) {
        throw new RangeError(`No emulated workspace with siteId '${siteId}'`);
      }
      return state;
    },
    requests,
    stats,
    faults,
    reset() {
      for (const state of states.values()) state.clear();
      requests.length = 0;
      Object.assign(stats, emptyStats());
      faults.clear();
      rateLimiter?.clear();
    },
  };
}
