import { describe, expect, it } from 'vitest';
import { CustomerIoDeadlineError, isCustomerIoDeadlineError } from '../../src/customerio/errors.js';
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

  it('refuses at once, without reserving a slot, a wait that would end after the deadline', async () => {
    const clock = fakeClock(1_000);
    const limiter = createRateLimiter({
      requestsPerSecond: 10,
      now: clock.now,
      sleep: clock.sleep,
    });
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    expect(limiter.peek()).toBe(300);

    const refused = limiter.acquire({ deadline: 1_000 + 299 });
    const error = await refused.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustomerIoDeadlineError);
    expect(isCustomerIoDeadlineError(error)).toBe(true);
    expect(error).toMatchObject({ waitMs: 300, deadline: 1_299 });
    expect((error as Error).message).toMatch(/300 ms.*299 ms/);
    // Nothing was reserved: the next caller gets the same slot, and nobody slept for the refusal.
    expect(limiter.peek()).toBe(300);
    expect(clock.sleeps).toEqual([100, 200]);

    // A wait that ends exactly at the deadline is accepted.
    await limiter.acquire({ deadline: 1_000 + 300 });
    expect(clock.sleeps).toEqual([100, 200, 300]);
    expect(limiter.peek()).toBe(400);
  });

  it('refuses once the deadline has passed, even with a free slot', async () => {
    const clock = fakeClock(5_000);
    const limiter = createRateLimiter({ requestsPerSecond: 10, now: clock.now });
    const error = await limiter.acquire({ deadline: 4_999 }).catch((e: unknown) => e);
    expect(isCustomerIoDeadlineError(error)).toBe(true);
    expect(limiter.peek()).toBe(0);
  });

  it('ends its wait when the signal aborts, rejecting with the signal’s reason', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 0.01 }); // one slot per 100 s, real timers
    await limiter.acquire();
    const controller = new AbortController();
    const startedAt = Date.now();
    const waiting = limiter.acquire({ signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 20);
    const error = await waiting;
    expect((error as Error).name).toBe('AbortError');
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    // An already-aborted signal is refused without a reservation.
    const before = limiter.peek();
    await expect(limiter.acquire({ signal: controller.signal })).rejects.toThrow();
    expect(limiter.peek()).toBeLessThanOrEqual(before);
  });

  it('rejects a non-positive rate', () => {
    expect(() => createRateLimiter({ requestsPerSecond: 0 })).toThrow(RangeError);
    expect(() => createRateLimiter({ requestsPerSecond: Number.NaN })).toThrow(RangeError);
  });
});
