import { describeConformanceOnRedis } from './conformance-on-redis.js';
import { startRedisServer } from './redis-server.js';

describeConformanceOnRedis(['ioredis 5', 'ioredis 6'], () => startRedisServer());
