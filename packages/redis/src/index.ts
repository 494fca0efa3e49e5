export {
  fromIoredis,
  fromNodeRedis,
  type IoredisClient,
  type NodeRedisClient,
  type RedisCommands,
} from './commands.js';
export { createRedisStore, type RedisStoreOptions } from './store.js';
