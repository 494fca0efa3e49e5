import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, fromIoredis, type RedisCommands } from '../src/index.js';
import { connect, STANDALONE, type TestClient } from './clients.js';
import { type RedisServer, startRedisCluster, startRedisServer } from './redis-server.js';

const DAY = 24 * 3_600_000;
const update = { subscriptionKey: 'sub_1', version: { at: 1_000, id: 'evt_1' }, fields: { a: 1 } };

const tokenOf = (result: Awaited<ReturnType<ReturnType<typeof createRedisStore>['claim']>>) => {
  if (result.status !== 'claimed') throw new Error(`expected a claim, got ${result.status}`);
  return result.token;
};

describe('the Redis store on a real server', () => {
  let server: RedisServer;
  const clients = new Map<string, TestClient>();
  beforeAll(async () => {
    server = await startRedisServer();
    for (const kind of STANDALONE) clients.set(kind, await connect(kind, server));
  });
  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    await server?.stop();
  });
  const ioredis = () => clients.get('ioredis 5')!;

  it('sets a TTL on every key it writes: the lease, the done-TTL, the state TTL (defaults 21 and 400 days)', async () => {
    const prefix = `ttl:${crypto.randomUUID()}:`;
    const store = createRedisStore({ redis: ioredis().commands, prefix });
    const pttl = async (key: string) => Number(await ioredis().send(['PTTL', key]));

    const token = tokenOf(await store.claim('evt_1', { leaseMs: 30_000 }));
    const lease = await pttl(`${prefix}claim:{evt_1}`);
    expect(lease).toBeGreaterThan(29_000);
    expect(lease).toBeLessThanOrEqual(30_000);

    await store.complete('evt_1', token);
    const done = await pttl(`${prefix}claim:{evt_1}`);
    expect(done).toBeGreaterThan(21 * DAY - 60_000);
    expect(done).toBeLessThanOrEqual(21 * DAY);

    await store.mergeSubscriptions('ann', [update]);
    const state = await pttl(`${prefix}person:{ann}`);
    expect(state).toBeGreaterThan(400 * DAY - 60_000);
    expect(state).toBeLessThanOrEqual(400 * DAY);
  });

  it('honours doneTtlMs and stateTtlMs, and a state TTL counts from the last update', async () => {
    const prefix = `ttl-options:${crypto.randomUUID()}:`;
    const store = createRedisStore({
      redis: ioredis().commands,
      prefix,
      doneTtlMs: 120_000,
      stateTtlMs: 600_000,
    });
    const pttl = async (key: string) => Number(await ioredis().send(['PTTL', key]));
    await store.complete('evt', tokenOf(await store.claim('evt', { leaseMs: 1_000 })));
    expect(await pttl(`${prefix}claim:{evt}`)).toBeGreaterThan(110_000);
    expect(await pttl(`${prefix}claim:{evt}`)).toBeLessThanOrEqual(120_000);
    await store.mergeSubscriptions('ann', [update]);
    await ioredis().send(['PEXPIRE', `${prefix}person:{ann}`, '1000']);
    // Reading does not extend it; merging, even the same update again, does.
    await store.readSubscriptions('ann');
    expect(await pttl(`${prefix}person:{ann}`)).toBeLessThanOrEqual(1_000);
    await store.mergeSubscriptions('ann', [update]);
    expect(await pttl(`${prefix}person:{ann}`)).toBeGreaterThan(590_000);
  });

  it('writes only under its prefix (default purchasely:), one key per event and per person', async () => {
    const prefix = `tenant-${crypto.randomUUID()}:`;
    const store = createRedisStore({ redis: ioredis().commands, prefix });
    const token = tokenOf(await store.claim('evt_1', { leaseMs: 10_000 }));
    await store.claim('evt_2', { leaseMs: 10_000 });
    await store.complete('evt_1', token);
    await store.mergeSubscriptions('user:42', [update]);
    await store.mergeSubscriptions('nobody', []);
    const keys = ((await ioredis().send(['KEYS', `${prefix}*`])) as string[]).sort();
    expect(keys).toEqual([
      `${prefix}claim:{evt_1}`,
      `${prefix}claim:{evt_2}`,
      `${prefix}person:{user:42}`,
    ]);
    expect(await ioredis().send(['GET', `${prefix}claim:{evt_1}`])).toBe('done');
    expect(await ioredis().send(['GET', `${prefix}claim:{evt_2}`])).toMatch(
      /^lease:[0-9a-f-]{36}$/,
    );
    expect(
      JSON.parse((await ioredis().send(['GET', `${prefix}person:{user:42}`])) as string),
    ).toEqual(await store.readSubscriptions('user:42'));

    const defaults = createRedisStore({ redis: ioredis().commands });
    const key = `evt_${crypto.randomUUID()}`;
    await defaults.claim(key, { leaseMs: 10_000 });
    expect(await ioredis().send(['EXISTS', `purchasely:claim:{${key}}`])).toBe(1);
  });

  it('two prefixes on one server are two independent stores', async () => {
    const a = createRedisStore({ redis: ioredis().commands, prefix: `a-${crypto.randomUUID()}:` });
    const b = createRedisStore({ redis: ioredis().commands, prefix: `b-${crypto.randomUUID()}:` });
    await a.complete('evt', tokenOf(await a.claim('evt', { leaseMs: 10_000 })));
    expect((await b.claim('evt', { leaseMs: 10_000 })).status).toBe('claimed');
    await a.mergeSubscriptions('ann', [update]);
    expect(await b.readSubscriptions('ann')).toEqual({});
  });

  it.each(STANDALONE)(
    'falls back to EVAL when the server forgot its scripts (%s)',
    async (kind) => {
      const client = clients.get(kind)!;
      const sent: string[] = [];
      const spy: RedisCommands = {
        evalsha: (sha1, keys, args) => {
          sent.push('EVALSHA');
          return client.commands.evalsha(sha1, keys, args);
        },
        eval: (script, keys, args) => {
          sent.push('EVAL');
          return client.commands.eval(script, keys, args);
        },
      };
      const store = createRedisStore({ redis: spy, prefix: `noscript:${crypto.randomUUID()}:` });
      await client.send(['SCRIPT', 'FLUSH']);
      const token = tokenOf(await store.claim('evt', { leaseMs: 10_000 }));
      expect(await store.complete('evt', token)).toBe(true);
      expect(await store.mergeSubscriptions('ann', [update])).toEqual({
        sub_1: {
          subscriptionKey: 'sub_1',
          version: update.version,
          fields: { a: { value: 1, version: update.version } },
        },
      });
      await client.send(['SCRIPT', 'FLUSH']);
      expect((await store.readSubscriptions('ann')).sub_1?.fields.a?.value).toBe(1);
      // Each script once by SHA then EVAL, then by SHA alone while the server keeps it.
      expect(sent).toEqual([
        'EVALSHA',
        'EVAL',
        'EVALSHA',
        'EVAL',
        'EVALSHA',
        'EVAL',
        'EVALSHA',
        'EVAL',
      ]);
      sent.length = 0;
      await store.claim('evt_2', { leaseMs: 10_000 });
      await store.claim('evt_3', { leaseMs: 10_000 });
      expect(sent).toEqual(['EVALSHA', 'EVAL', 'EVALSHA']);
    },
  );

  it('hands every client the same answers: what one client writes, another reads', async () => {
    const prefix = `shared:${crypto.randomUUID()}:`;
    const stores = STANDALONE.map((kind) =>
      createRedisStore({ redis: clients.get(kind)!.commands, prefix }),
    );
    const [first, ...others] = stores;
    const token = tokenOf(await first!.claim('evt', { leaseMs: 10_000 }));
    for (const store of others) {
      expect(await store.claim('evt', { leaseMs: 10_000 })).toEqual({ status: 'in_progress' });
      expect(await store.complete('evt', 'not-the-token')).toBe(false);
    }
    expect(await others[0]!.complete('evt', token)).toBe(true);
    for (const store of stores)
      expect(await store.claim('evt', { leaseMs: 10_000 })).toEqual({ status: 'done' });
    const merged = await first!.mergeSubscriptions('ann', [update]);
    for (const store of others) expect(await store.readSubscriptions('ann')).toEqual(merged);
  });

  it('rejects what it cannot use, at creation and per call', async () => {
    const redis = ioredis().commands;
    for (const options of [
      { doneTtlMs: 0 },
      { doneTtlMs: Number.POSITIVE_INFINITY },
      { stateTtlMs: -1 },
      { stateTtlMs: Number.NaN },
      { maxSubscriptionsPerPerson: 0 },
      { maxSubscriptionsPerPerson: 2.5 },
    ]) {
      expect(() => createRedisStore({ redis, ...options })).toThrow(RangeError);
    }
    expect(() => createRedisStore({ redis: {} as RedisCommands })).toThrow(/fromIoredis/);
    const store = createRedisStore({ redis, prefix: `invalid:${crypto.randomUUID()}:` });
    await expect(store.claim('evt', { leaseMs: 0 })).rejects.toThrow(RangeError);
    await expect(store.claim('evt', { leaseMs: Number.NaN })).rejects.toThrow(RangeError);
    // A fractional lease is rounded up to Redis' whole milliseconds.
    expect((await store.claim('evt', { leaseMs: 0.5 })).status).toBe('claimed');
  });

  it('rejects, rather than answers, when Redis cannot be reached', async () => {
    const { Redis } = await import('ioredis');
    const client = new Redis({
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    const store = createRedisStore({ redis: fromIoredis(client) });
    await expect(store.claim('evt', { leaseMs: 1_000 })).rejects.toThrow();
    await expect(store.mergeSubscriptions('ann', [update])).rejects.toThrow();
    client.disconnect();
  });
});

describe('the Redis store on Redis Cluster', () => {
  let server: RedisServer;
  let client: TestClient;
  beforeAll(async () => {
    server = await startRedisCluster();
    client = await connect('ioredis 5 Cluster', server);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('keeps the id in a hash tag: the keys about one id share a slot, whatever the prefix', async () => {
    const slot = async (key: string) => Number(await client.send(['CLUSTER', 'KEYSLOT', key]));
    for (const prefix of ['purchasely:', 'app:prod:', '{tenant}:']) {
      for (const id of ['user_1', 'evt_1', 'x}y']) {
        expect(await slot(`${prefix}claim:{${id}}`)).toBe(await slot(`${prefix}person:{${id}}`));
      }
    }
    expect(await slot('purchasely:person:{user_1}')).toBe(await slot('user_1'));
  });

  it('works with a hash-tagged prefix, which puts every key in one slot', async () => {
    const prefix = `{purchasely-${crypto.randomUUID()}}:`;
    const store = createRedisStore({ redis: client.commands, prefix });
    await store.complete('evt', tokenOf(await store.claim('evt', { leaseMs: 10_000 })));
    await store.mergeSubscriptions('ann', [update]);
    expect(await store.claim('evt', { leaseMs: 10_000 })).toEqual({ status: 'done' });
    const slot = async (key: string) => Number(await client.send(['CLUSTER', 'KEYSLOT', key]));
    expect(await slot(`${prefix}claim:{evt}`)).toBe(await slot(`${prefix}person:{ann}`));
  });
});
