import { Cluster as IoCluster5, Redis as Ioredis5 } from 'ioredis';
import { Cluster as IoCluster6, Redis as Ioredis6 } from 'ioredis6';
import { createClient as createClient5, createCluster as createCluster5 } from 'redis';
import { createClient as createClient4, createCluster as createCluster4 } from 'redis4';
import { createClient as createClient6, createCluster as createCluster6 } from 'redis6';
import { fromIoredis, fromNodeRedis, type RedisCommands } from '../src/index.js';
import type { RedisServer } from './redis-server.js';

/** A connected client, wrapped for the store, with a raw command for checks (PTTL, KEYS, SCRIPT FLUSH). */
export interface TestClient {
  commands: RedisCommands;
  /** Sends one command to the node that owns `key` (any node when no key). */
  send(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

export type ClientKind =
  | 'ioredis 5'
  | 'ioredis 6'
  | 'node-redis 4'
  | 'node-redis 5'
  | 'node-redis 6'
  | 'ioredis 5 Cluster'
  | 'ioredis 6 Cluster'
  | 'node-redis 4 cluster'
  | 'node-redis 5 cluster'
  | 'node-redis 6 cluster';

export const STANDALONE: ClientKind[] = [
  'ioredis 5',
  'ioredis 6',
  'node-redis 4',
  'node-redis 5',
  'node-redis 6',
];

export const CLUSTER: ClientKind[] = [
  'ioredis 5 Cluster',
  'ioredis 6 Cluster',
  'node-redis 4 cluster',
  'node-redis 5 cluster',
  'node-redis 6 cluster',
];

export async function connect(kind: ClientKind, server: RedisServer): Promise<TestClient> {
  const node = { host: server.host, port: server.port };
  switch (kind) {
    case 'ioredis 5':
    case 'ioredis 6': {
      const client = kind === 'ioredis 5' ? new Ioredis5(node) : new Ioredis6(node);
      return {
        commands: fromIoredis(client),
        send: ([command, ...args]) => client.call(command!, ...args),
        close: async () => void (await client.quit()),
      };
    }
    case 'ioredis 5 Cluster':
    case 'ioredis 6 Cluster': {
      const client = kind === 'ioredis 5 Cluster' ? new IoCluster5([node]) : new IoCluster6([node]);
      return {
        commands: fromIoredis(client),
        send: ([command, ...args]) => client.call(command!, ...args),
        close: async () => void (await client.quit()),
      };
    }
    case 'node-redis 4': {
      const client = createClient4({ url: server.url });
      await client.connect();
      return {
        commands: fromNodeRedis(client),
        send: (args) => client.sendCommand(args),
        close: async () => void (await client.quit()),
      };
    }
    case 'node-redis 5': {
      const client = await createClient5({ url: server.url }).connect();
      return {
        commands: fromNodeRedis(client),
        send: (args) => client.sendCommand(args),
        close: async () => void (await client.close()),
      };
    }
    case 'node-redis 6': {
      const client = await createClient6({ url: server.url }).connect();
      return {
        commands: fromNodeRedis(client),
        send: (args) => client.sendCommand(args),
        close: async () => void (await client.close()),
      };
    }
    case 'node-redis 4 cluster': {
      const client = createCluster4({ rootNodes: [{ url: server.url }] });
      await client.connect();
      return {
        commands: fromNodeRedis(client),
        send: (args) => client.sendCommand(args[1], false, args),
        close: async () => void (await client.quit()),
      };
    }
    case 'node-redis 5 cluster': {
      const client = await createCluster5({ rootNodes: [{ url: server.url }] }).connect();
      return {
        commands: fromNodeRedis(client),
        send: (args) => client.sendCommand(args[1], false, args),
        close: async () => void (await client.close()),
      };
    }
    case 'node-redis 6 cluster': {
      const client = await createCluster6({ rootNodes: [{ url: server.url }] }).connect();
      return {
        commands: fromNodeRedis(client),
        send: (args) => client.sendCommand(args[1], false, args),
        close: async () => void (await client.close()),
      };
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
