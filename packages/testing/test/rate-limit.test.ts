import { describe, expect, it } from 'vitest';
import { basicAuth, call, fakeClock, setupMsw } from './helpers.js';

const emulate = setupMsw();

describe('rate limit', () => {
  it('answers 429 with Retry-After: 1 beyond N requests in the same second', async () => {
    const clock = fakeClock(1_700_000_000_000);
    const emulator = emulate({ now: clock.now, rateLimit: { requestsPerSecond: 2 } });

    const statuses = [];
    for (let index = 0; index < 3; index += 1) {
      statuses.push((await call('PUT', `/api/v1/customers/${index}`, {})).status);
    }
    const limited = await call('PUT', '/api/v1/customers/9', {});

    expect(statuses).toEqual([200, 200, 429]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.json).toEqual({ meta: { error: 'rate limit exceeded' } });
    expect(emulator.stats.rateLimited).toBe(2);
    expect([...emulator.people.keys()]).toEqual(['0', '1']);

    clock.advance(1000);
    expect((await call('PUT', '/api/v1/customers/9', {})).status).toBe(200);
  });

  it('counts each workspace separately', async () => {
    const clock = fakeClock();
    emulate({
      now: clock.now,
      rateLimit: { requestsPerSecond: 1 },
      workspaces: [
        { siteId: 'a', apiKey: 'ka', region: 'us' },
        { siteId: 'b', apiKey: 'kb', region: 'us' },
      ],
    });

    expect(
      (await call('PUT', '/api/v1/customers/1', {}, { auth: basicAuth('a', 'ka') })).status,
    ).toBe(200);
    expect(
      (await call('PUT', '/api/v1/customers/1', {}, { auth: basicAuth('b', 'kb') })).status,
    ).toBe(200);
    expect(
      (await call('PUT', '/api/v1/customers/2', {}, { auth: basicAuth('a', 'ka') })).status,
    ).toBe(429);
  });

  it('is off by default', async () => {
    const emulator = emulate();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call('PUT', `/api/v1/customers/${i}`, {})),
    );

    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(emulator.stats.rateLimited).toBe(0);
  });
});
