import { describe, expect, it } from 'vitest';
import { ConfigError, describeRedisUrl, loadConfig } from '../src/config.js';

const BASE = {
  PURCHASELY_WEBHOOK_SECRET: 'whsec_example',
  CUSTOMERIO_SITE_ID: 'site',
  CUSTOMERIO_API_KEY: 'key',
  CUSTOMERIO_REGION: 'eu',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('loadConfig: Redis and queue mode', () => {
  it('without REDIS_URL: no Redis, direct mode in one process (pnpm start and pnpm demo unchanged)', () => {
    const config = loadConfig(BASE);
    expect(config.redis).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.bridge.customerio).toEqual({ siteId: 'site', apiKey: 'key', region: 'eu' });
  });

  it('REDIS_URL alone: the Redis store and rate limit, direct delivery', () => {
    const config = loadConfig({ ...BASE, REDIS_URL: 'redis://localhost:6379' });
    expect(config.redis).toEqual({
      url: 'redis://localhost:6379',
      delivery: 'direct',
      worker: 'inline',
      workerConcurrency: 1,
    });
  });

  it('DELIVERY_MODE=queue: the worker inline by default, or separate; concurrency', () => {
    const queue = {
      ...BASE,
      REDIS_URL: 'rediss://:pw@redis.internal:6380/2',
      DELIVERY_MODE: 'queue',
    };
    expect(loadConfig(queue).redis).toMatchObject({ delivery: 'queue', worker: 'inline' });
    expect(
      loadConfig({
        ...queue,
        DELIVERY_MODE: ' Queue ',
        WORKER: 'separate',
        WORKER_CONCURRENCY: '4',
      }).redis,
    ).toEqual({
      url: 'rediss://:pw@redis.internal:6380/2',
      delivery: 'queue',
      worker: 'separate',
      workerConcurrency: 4,
    });
    expect(loadConfig({ ...queue, WORKER: '', DELIVERY_MODE: 'direct' }).redis?.delivery).toBe(
      'direct',
    );
  });

  it('every problem in one message, without the Redis URL or its password', () => {
    const password = 's3cr3t-redis-password';
    let message = '';
    try {
      loadConfig({
        ...BASE,
        PURCHASELY_WEBHOOK_SECRET: '',
        REDIS_URL: `http://user:${password}@redis.internal:6379`,
        DELIVERY_MODE: 'kafka',
        WORKER: 'elsewhere',
        WORKER_CONCURRENCY: '0',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('Invalid configuration (5 problems)');
    expect(message).toContain('PURCHASELY_WEBHOOK_SECRET is missing');
    expect(message).toContain('REDIS_URL is not a redis:// or rediss:// URL');
    expect(message).toContain('DELIVERY_MODE is "kafka": expected direct or queue.');
    expect(message).toContain('WORKER is "elsewhere": expected inline or separate.');
    expect(message).toContain('WORKER_CONCURRENCY is "0"');
    expect(message).not.toContain(password);
    expect(message).not.toContain('redis.internal');
  });

  it('queue mode needs REDIS_URL; worker settings need queue mode', () => {
    expect(problemsOf({ ...BASE, DELIVERY_MODE: 'queue' })).toEqual([
      'DELIVERY_MODE is queue, but REDIS_URL is missing: queue mode keeps its queue in Redis.',
    ]);
    expect(
      problemsOf({
        ...BASE,
        REDIS_URL: 'redis://localhost',
        WORKER: 'separate',
        WORKER_CONCURRENCY: '2',
      }),
    ).toEqual([
      'WORKER is set, but DELIVERY_MODE is not queue: only queue mode has workers.',
      'WORKER_CONCURRENCY is set, but DELIVERY_MODE is not queue: only queue mode has workers.',
    ]);
    expect(problemsOf({ ...BASE, REDIS_URL: 'not a url' })).toHaveLength(1);
    expect(problemsOf({ ...BASE, REDIS_URL: 'redis://' })).toHaveLength(1);
  });

  it('describeRedisUrl: scheme, host, port and database, never credentials', () => {
    expect(describeRedisUrl('rediss://default:pw@redis.internal:6380/2')).toBe(
      'rediss://redis.internal:6380/2',
    );
    expect(describeRedisUrl('redis://localhost')).toBe('redis://localhost');
    expect(describeRedisUrl('::')).toBe('(REDIS_URL)');
  });
});
