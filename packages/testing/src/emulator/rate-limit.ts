/**
 * A fixed one-second window per workspace, aligned to the emulator clock. Customer.io documents no
 * 429 for the Track API, so this only runs when a test asks for it.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { second: number; count: number }>();

  constructor(private readonly requestsPerSecond: number) {
    if (!(requestsPerSecond > 0)) {
      throw new RangeError(
        `rateLimit.requestsPerSecond must be positive, got ${requestsPerSecond}`,
      );
    }
  }

  /** Counts the request and says whether it is over the limit. */
  isOverLimit(siteId: string, nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    const window = this.windows.get(siteId);
    if (window === undefined || window.second !== second) {
      this.windows.set(siteId, { second, count: 1 });
      return 1 > this.requestsPerSecond;
    }
    window.count += 1;
    return window.count > this.requestsPerSecond;
  }

  clear(): void {
    this.windows.clear();
  }
}
