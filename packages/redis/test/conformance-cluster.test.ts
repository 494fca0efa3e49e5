import { CLUSTER } from './clients.js';
import { describeConformanceOnRedis } from './conformance-on-redis.js';
import { startRedisCluster } from './redis-server.js';

// Redis Cluster refuses a script whose keys are in different slots, and routes each call by its key: the
// whole suite on a cluster checks that every call stays on one key's node.
describeConformanceOnRedis(CLUSTER, () => startRedisCluster());
