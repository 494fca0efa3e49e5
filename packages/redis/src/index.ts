export {
  fromIoredis,
  fromNodeRedis,
  type IoredisClient,
  type NodeRedisClient,
  type RedisCommands,
} from './commands.js';
export type { BullMqConnection, BullMqQueueLocation } from './queue/bullmq.js';
export {
  type BullMqDeliveryQueue,
  type BullMqQueueOptions,
  createBullMqQueue,
} from './queue/bullmq-queue.js';
export { createDeadLetters, type DeadLetter, type DeadLetters } from './queue/dead-letters.js';
export {
  type DeliveryWorker,
  type DeliveryWorkerOptions,
  startDeliveryWorker,
} from './queue/delivery-worker.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './queue/retry-policy.js';
export {
  createRedisRateLimiter,
  type RateLimiterLogger,
  type RedisRateLimiterOptions,
} from './rate-limiter.js';
export { createRedisStore, type RedisStoreOptions } from './store.js';
