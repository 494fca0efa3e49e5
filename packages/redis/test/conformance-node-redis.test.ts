import { describeConformanceOnRedis } from './conformance-on-redis.js';
import { startRedisServer } from './redis-server.js';

describeConformanceOnRedis(['node-redis 4', 'node-redis 5', 'node-redis 6'], () =>
  startRedisServer(),
);
