import type { CustomerIoEmulator, RecordedRequest } from '@purchasely-customerio/testing';

/**
 * How many Customer.io operations a request carries: the entries of a `/api/v2/batch` body, else 1 (0 for
 * a GET). Read from the body, which is never printed.
 */
export function operationCount(request: Pick<RecordedRequest, 'method' | 'path' | 'body'>): number {
  if (request.method === 'GET' || request.method === 'HEAD') return 0;
  if (request.path.split('?')[0] === '/api/v2/batch') {
    try {
      const parsed = JSON.parse(request.body) as { batch?: unknown };
      return Array.isArray(parsed.batch) ? parsed.batch.length : 0;
    } catch {
      return 0;
    }
  }
  return 1;
}

/**
 * One line per answered request: time, method, path (without the query), status, operations and the
 * workspace. No header is printed (the emulator redacts `authorization` anyway) and no body.
 */
export function describeRequest(request: Readonly<RecordedRequest>, at = new Date()): string {
  const operations = operationCount(request);
  const path = request.path.split('?')[0];
  const workspace = request.siteId === undefined ? 'no workspace' : `site ${request.siteId}`;
  return `${at.toISOString()} ${request.method} ${path} ${request.status} ${operations} operation${operations === 1 ? '' : 's'} (${workspace})`;
}

/**
 * Follows the emulator's request recorder (it offers no per-request callback) and calls `print` once per
 * request as soon as it has been answered, in arrival order among answered ones. Dropped connections
 * (status 0) are never printed. `stop()` prints what was answered since the last look.
 */
export function followRequests(
  emulator: Pick<CustomerIoEmulator, 'requests'>,
  print: (line: string) => void,
  intervalMs = 50,
): { stop(): void } {
  const printed = new Set<number>();
  let firstUnprinted = 0;
  const look = () => {
    const { requests } = emulator;
    for (let index = firstUnprinted; index < requests.length; index++) {
      const request = requests[index] as Readonly<RecordedRequest>;
      if (printed.has(index) || request.status === 0) continue;
      printed.add(index);
      print(describeRequest(request));
    }
    while (printed.has(firstUnprinted)) printed.delete(firstUnprinted++);
  };
  const timer = setInterval(look, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      look();
    },
  };
}
