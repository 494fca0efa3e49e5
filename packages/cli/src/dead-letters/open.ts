import { createDeadLetters, type DeadLetter, type DeadLetters } from '@purchasely-customerio/redis';
import { Redis } from 'ioredis';
import type { RedisLocation } from '../redis-location.js';

export interface OpenDeadLetters {
  deadLetters: DeadLetters;
  /** Every dead letter, newest first, read a page at a time. */
  all(): Promise<DeadLetter[]>;
  close(): Promise<void>;
}

const PAGE = 500;

/**
 * The dead letters of the queue at `location`, over one connection that fails fast (a command run by hand
 * should say Redis is down, not wait forever).
 */
export async function openDeadLetters(location: RedisLocation): Promise<OpenDeadLetters> {
  const connection = new Redis(location.url, {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: (times) => (times > 2 ? null : 200),
  });
  connection.on('error', () => {});
  try {
    await connection.connect();
  } catch (error) {
    connection.disconnect();
    throw new Error(`could not reach Redis at ${location.where}: ${(error as Error).message}`);
  }
  const deadLetters = createDeadLetters({
    connection,
    ...(location.name === undefined ? {} : { name: location.name }),
    ...(location.prefix === undefined ? {} : { prefix: location.prefix }),
  });
  return {
    deadLetters,
    async all() {
      const found: DeadLetter[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await deadLetters.list({ limit: PAGE, offset });
        found.push(...page);
        if (page.length < PAGE) return found;
      }
    },
    async close() {
      await deadLetters.close();
      if (connection.status === 'ready') await connection.quit();
      else connection.disconnect();
    },
  };
}
