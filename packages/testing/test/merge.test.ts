import { describe, expect, it } from 'vitest';
import { call, fakeClock, setupMsw } from './helpers.js';

const emulate = setupMsw();

const day = 24 * 60 * 60;

describe.each([
  [
    'v1 /merge_customers',
    (primary: unknown, secondary: unknown) =>
      call('POST', '/api/v1/merge_customers', { primary, secondary }),
  ],
  [
    'v2 merge',
    (primary: unknown, secondary: unknown) =>
      call('POST', '/api/v2/entity', { type: 'person', action: 'merge', primary, secondary }),
  ],
])('%s', (_api, merge) => {
  it('gives the primary the attributes it lacks and the recent events, then deletes the secondary', async () => {
    const clock = fakeClock();
    const emulator = emulate({ now: clock.now });
    await call('PUT', '/api/v1/customers/primary', { plan: 'pro', country: '' });
    await call('PUT', `/api/v1/customers/${encodeURIComponent('dup@x.com')}`, {
      plan: 'free',
      country: 'FR',
      locale: 'fr',
    });
    await call('POST', `/api/v1/customers/${encodeURIComponent('dup@x.com')}/events`, {
      name: 'recent',
      timestamp: clock.seconds() - 29 * day,
    });
    await call('POST', `/api/v1/customers/${encodeURIComponent('dup@x.com')}/events`, {
      name: 'old',
      timestamp: clock.seconds() - 31 * day,
    });

    const answer = await merge({ id: 'primary' }, { email: 'dup@x.com' });

    expect(answer).toMatchObject({ status: 200, json: {} });
    expect(emulator.people.size).toBe(1);
    expect(emulator.people.get('primary')).toMatchObject({
      email: 'dup@x.com',
      attributes: { plan: 'pro', country: 'FR', locale: 'fr' },
    });
    expect(emulator.events.map((event) => [event.name, event.personId])).toEqual([
      ['recent', 'primary'],
      ['old', 'dup@x.com'],
    ]);
  });

  it('does nothing, with 200, when the primary does not exist', async () => {
    const emulator = emulate();
    await call('PUT', '/api/v1/customers/secondary', { plan: 'pro' });

    expect((await merge({ id: 'missing' }, { id: 'secondary' })).status).toBe(200);
    expect(emulator.people.has('secondary')).toBe(true);
    expect(emulator.stats.droppedOperations).toBe(1);
  });

  it('addresses people by cio_id without the cio_ prefix', async () => {
    const emulator = emulate();
    await call('PUT', '/api/v1/customers/1', { a: 1 });
    await call('PUT', '/api/v1/customers/2', { b: 2 });
    const cioId = (id: string) => emulator.people.get(id)?.cioId;

    await merge({ cio_id: cioId('1') }, { cio_id: cioId('2') });
    expect(emulator.people.get('1')?.attributes).toEqual({ a: 1, b: 2 });
    expect(emulator.people.has('2')).toBe(false);
  });
});

describe('merge validation', () => {
  it('answers v1 400 {"meta":{"error"}} when a side carries several identifiers', async () => {
    const emulator = emulate();
    await call('PUT', '/api/v1/customers/1', {});
    const answer = await call('POST', '/api/v1/merge_customers', {
      primary: { id: '1', email: 'a@x.com' },
      secondary: { id: '2' },
    });

    expect(answer).toMatchObject({
      status: 400,
      json: { meta: { error: 'primary must contain exactly one of id, email or cio_id' } },
    });
    expect(emulator.people.size).toBe(1);
  });

  it('answers v1 400 when a side is missing', async () => {
    emulate();
    const answer = await call('POST', '/api/v1/merge_customers', { primary: { id: '1' } });

    expect(answer).toMatchObject({
      status: 400,
      json: { meta: { error: 'secondary must contain exactly one of id, email or cio_id' } },
    });
  });

  it('answers v2 400 {errors} naming the side', async () => {
    emulate();
    const answer = await call('POST', '/api/v2/entity', {
      type: 'person',
      action: 'merge',
      primary: { id: '1' },
      secondary: { id: '2', cio_id: 'a3000001' },
    });

    expect(answer).toMatchObject({
      status: 400,
      json: {
        errors: [
          {
            reason: 'invalid',
            field: 'secondary',
            message: 'secondary must contain exactly one of id, email or cio_id',
          },
        ],
      },
    });
  });
});
