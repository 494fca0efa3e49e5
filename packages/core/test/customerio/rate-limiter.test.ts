import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/customerio/rate-limiter.js';

/** A fake clock and a sleep that only records: waits are exact and instant. */
function fakeClock(start = 0) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}

describe('createRateLimiter', () => {
  it('spaces requests 1000 / rps apart, in call order', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({
      requestsPerSecond: 100,
      now: clock.now,
      sleep: clock.sleep,
    });
    // Five concurrent callers reserve slots 0, 10, 20, 30, 40 ms synchronously.
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => limiter.acquire().then(() => order.push(i))));
    expect(clock.sleeps).toEqual([10, 20, 30, 40]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('never lets more than rps requests into one clock-aligned second', async () => {
    const clock = fakeClock(1_700_000_000_000);
    const limiter = createRateLimiter({ requestsPerSecond: 100, now: () => clock.now() });
    const sendTimes: number[] = [];
    // Send sequentially: wait for the slot, then "send" at the current time.
    for (let i = 0; i < 350; i++) {
      const wait = limiter.peek();
      clock.advance(wait);
      await limiter.acquire();
      sendTimes.push(clock.now());
    }
    const perSecond = new Map<number, number>();
    for (const t of sendTimes) {
      const second = Math.floor(t / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(100);
    expect(sendTimes.at(-1)! - sendTimes[0]!).toBe(3490);
  });

  it('does not bank idle time beyond the burst', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({
      requestsPerSecond: 10,
      burst: 3,
      now: clock.now,
      sleep: clock.sleep,
    });
    await limiter.acquire();
    clock.advance(60_000); // a long idle period
    await Promise.all([1, 2, 3, 4, 5].map(() => limiter.acquire()));
    // Three go back to back, then one per 100 ms.
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it('does not wait after the interval has passed', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ requestsPerSecond: 2, now: clock.now, sleep: clock.sleep });
    await limiter.acquire();
    clock.advance(500);
    await limiter.acquire();
    expect(clock.sleeps).toEqual([]);
    expect(limiter.peek()).toBe(500);
  });

  it('rejects a non-positive rate', () => {
    expect(() => createRateLimiter({ requestsPerSecond: 0 })).toThrow(RangeError);
    expect(() => createRateLimiter({ requestsPerSecond: Number.NaN })).toThrow(RangeError);
  });
});
