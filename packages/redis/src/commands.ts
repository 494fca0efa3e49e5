/**
 * The two Redis commands the store sends, so that it needs neither client as a dependency: wrap yours
 * with {@link fromIoredis} or {@link fromNodeRedis}, or implement it over anything that speaks Redis.
 * Connection settings (TLS, auth, Sentinel, Cluster, retries) stay your client's.
 *
 * Replies are what the scripts return: bulk strings (a `string`, or a `Uint8Array` that is decoded as
 * UTF-8) and integers.
 *
 * @example
 * ```ts
 * const commands: RedisCommands = {
 *   evalsha: (sha1, keys, args) => client.sendCommand(['EVALSHA', sha1, `${keys.length}`, ...keys, ...args]),
 *   eval: (script, keys, args) => client.sendCommand(['EVAL', script, `${keys.length}`, ...keys, ...args]),
 * };
 * ```
 */
export interface RedisCommands {
  /**
   * `EVALSHA sha1 numkeys key… arg…`. When the server does not have the script cached, rejects with an
   * error whose message starts with `NOSCRIPT` (as Redis answers); the store then sends {@link eval}.
   */
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>;
  /** `EVAL script numkeys key… arg…` (also caches the script for the next EVALSHA). */
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/**
 * The part of an ioredis `Redis` or `Cluster` (v5 and v6) the store uses. `keyPrefix`, if you set one,
 * is prepended to the store's keys as to any other key.
 */
export interface IoredisClient {
  evalsha(sha1: string, numkeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/** The part of a node-redis client or cluster (v4, v5 and v6: `createClient`, `createCluster`) the store uses. */
export interface NodeRedisClient {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * Wraps an ioredis client (`new Redis(…)` or `new Cluster(…)`) as {@link RedisCommands}. Scripts are
 * sent with their keys, so a Cluster routes each call to the node that owns its key.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createRedisStore, fromIoredis } from '@purchasely-customerio/redis';
 *
 * const store = createRedisStore({ redis: fromIoredis(new Redis(process.env.REDIS_URL!)) });
 * ```
 */
export function fromIoredis(client: IoredisClient): RedisCommands {
  return {
    evalsha: (sha1, keys, args) => client.evalsha(sha1, keys.length, ...keys, ...args),
    eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
  };
}

/**
 * Wraps a node-redis client (`createClient(…)` or `createCluster(…)`, connected) as
 * {@link RedisCommands}.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { createRedisStore, fromNodeRedis } from '@purchasely-customerio/redis';
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = createRedisStore({ redis: fromNodeRedis(client) });
 * ```
 */
export function fromNodeRedis(client: NodeRedisClient): RedisCommands {
  return {
    evalsha: (sha1, keys, args) => client.evalSha(sha1, { keys, arguments: args }),
    eval: (script, keys, args) => client.eval(script, { keys, arguments: args }),
  };
}
