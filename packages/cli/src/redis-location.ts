import type { Command } from './command.js';
import type { Env } from './customerio-settings.js';
import { UsageError } from './exit-codes.js';

/** Where a command's queue lives in Redis: `REDIS_URL` (or `--redis-url`), the queue name and key prefix. */
export interface RedisLocation {
  /** Holds the password, if any: never print it (see {@link describeRedisUrl}). */
  url: string;
  /** `redis://host:port/db` without credentials, for output. */
  where: string;
  name?: string;
  prefix?: string;
}

export interface RedisFlags {
  redisUrl?: string;
  queue?: string;
  prefix?: string;
}

/** The URL without user or password: what may be printed. */
export function describeRedisUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname.length > 1 ? url.pathname : ''}`;
  } catch {
    return '(REDIS_URL)';
  }
}

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * The Redis location from `--redis-url`, else `REDIS_URL`; `--queue` (else `QUEUE_NAME`) and `--prefix`
 * (else `QUEUE_PREFIX`) when the queue is not BullMQ's default. A missing or bad URL is a `UsageError`
 * that never repeats the value (it may hold a password).
 */
export function redisLocation(flags: RedisFlags, env: Env): RedisLocation {
  const url = flags.redisUrl ?? env.REDIS_URL;
  if (url === undefined || url === '')
    throw new UsageError('the Redis URL is missing: --redis-url or REDIS_URL');
  if (!isRedisUrl(url))
    throw new UsageError(
      'the Redis URL is not a redis:// or rediss:// URL with a host (value not shown: it may hold a password)',
    );
  const name = flags.queue ?? env.QUEUE_NAME;
  const prefix = flags.prefix ?? env.QUEUE_PREFIX;
  return {
    url,
    where: describeRedisUrl(url),
    ...(name ? { name: String(name) } : {}),
    ...(prefix ? { prefix: String(prefix) } : {}),
  };
}

/** The flags of {@link redisLocation}, registered on a command (`worker`, `dead-letters`). */
export function withRedisOptions(command: Command): Command {
  return command
    .option(
      '--redis-url <url>',
      'Redis holding the queue (env REDIS_URL); its password is never printed',
    )
    .option('--queue <name>', 'BullMQ queue name (env QUEUE_NAME; default purchasely-customerio)')
    .option('--prefix <prefix>', "BullMQ key prefix (env QUEUE_PREFIX; default BullMQ's bull)");
}
