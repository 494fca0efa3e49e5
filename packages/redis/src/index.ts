export {
  fromIoredis,
  fromNodeRedis,
  type IoredisClient,
  type NodeRedisClient,
  type RedisCommands,
} from './commands.js';
export {
  createRedisRateLimiter,
  type RateLimiterLogger,
  type RedisRateLimiterOptions,
} from './rate-limiter.js';
export { createRedisStore, type RedisStoreOptions } from './store.js';
