import { findOrInstallRedisServer } from './redis-server.js';

/** Finds (or installs) redis-server once, before the test files start their own servers in parallel. */
export default function setup(): void {
  findOrInstallRedisServer();
}
