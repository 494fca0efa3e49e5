/**
 * The runtime matrix: the BUILT fetch adapter (`@purchasely-customerio/adapters/fetch` from `dist/`)
 * served by Node 20 (the host), Node 22, Node 24, Bun, Deno and workerd (through Miniflare). Each gets a
 * signed Purchasely webhook over HTTP and must forward it, over real HTTP on loopback, to the Customer.io
 * emulator running here. Every binary comes from `pnpm install` (see package.json and README.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createCustomerIoEmulator,
  type LoopbackServer,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'runtime-matrix-secret';
const PATH = '/webhooks/purchasely';
/** Bun and Deno can take seconds on their first start on a cold, 2-core CI machine. */
const START_TIMEOUT_MS = 90_000;
const REQUEST_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const server = (name: string) => here(`./servers/${name}`);

interface Runtime {
  id: string;
  /** The executable, and what to tell the reader when it is missing. */
  command: string;
  args: string[];
  /** What `GET /__runtime` must answer, proving which runtime served the request. */
  runtime: RegExp;
}

const node22 = here('./node_modules/node22/bin/node');
const node24 = here('./node_modules/node24/bin/node');

const runtimes: Runtime[] = [
  {
    id: 'node20',
    command: process.execPath,
    args: [server('node.mjs')],
    runtime: new RegExp(`^node ${process.version.replaceAll('.', '\\.')}$`),
  },
  { id: 'node22', command: node22, args: [server('node.mjs')], runtime: /^node v22\./ },
  { id: 'node24', command: node24, args: [server('node.mjs')], runtime: /^node v24\./ },
  {
    id: 'bun',
    command: here('./node_modules/bun/bin/bun.exe'),
    args: [server('bun.mjs')],
    runtime: /^bun \d/,
  },
  {
    id: 'deno',
    command: here('./node_modules/deno/deno'),
    args: ['run', '--allow-net', '--allow-env', '--allow-read', '--no-lock', server('deno.mjs')],
    runtime: /^deno 2\./,
  },
  {
    // Miniflare's Node API needs Node >= 22; the worker itself runs in workerd.
    id: 'workerd',
    command: node22,
    args: [server('workerd.mjs')],
    runtime: /^workerd \(Cloudflare-Workers\)$/,
  },
];

/** A runtime server started as its own process group, so its children (workerd) stop with it. */
interface Started {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

// If the test process exits without afterAll (a crash, Ctrl-C), still take the servers down.
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

const READY = /RUNTIME_SERVER_READY (\{.*\})/;

async function start(runtime: Runtime, emulatorUrl: string): Promise<Started> {
  if (!existsSync(runtime.command)) {
    throw new Error(
      `${runtime.id}: ${runtime.command} is missing. Run \`pnpm install\` at the repository root ` +
        '(the binaries come from tests/runtimes/package.json; bun, deno and workerd need their ' +
        'postinstall, allowed by onlyBuiltDependencies in pnpm-workspace.yaml).',
    );
  }
  const child = spawn(runtime.command, runtime.args, {
    cwd: here('.'),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: '0',
      WEBHOOK_SECRET: SECRET,
      CUSTOMERIO_BASE_URL: emulatorUrl,
      NO_COLOR: '1',
      DENO_NO_UPDATE_CHECK: '1',
      DENO_NO_PROMPT: '1',
    },
  });
  running.add(child);
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    // workerd and other grandchildren share the group; make sure none outlives its parent.
    killGroup(child, 'SIGKILL');
    running.delete(child);
  };

  const describeFailure = (why: string) =>
    new Error(
      `${runtime.id} server ${why}.\ncommand: ${runtime.command} ${runtime.args.join(' ')}\n` +
        `--- output ---\n${output.trim() || '(none)'}`,
    );

  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(describeFailure(`did not start within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      const onData = () => {
        const match = READY.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve((JSON.parse(match[1]!) as { port: number }).port);
        }
      };
      child.stdout?.on('data', onData);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(describeFailure(`could not be spawned (${error.message})`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(describeFailure(`exited before listening (code ${code}, signal ${signal})`));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    // It said it listens; make sure it answers too.
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw describeFailure(
          `exited after listening (code ${child.exitCode}, signal ${child.signalCode})`,
        );
      }
      try {
        const response = await fetch(`${url}/__runtime`, { signal: AbortSignal.timeout(5_000) });
        if (response.ok) break;
        throw new Error(`status ${response.status}: ${await response.text()}`);
      } catch (error) {
        if (Date.now() > deadline) throw describeFailure(`does not answer (${String(error)})`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return { url, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

describe('runtime matrix: the built fetch adapter', () => {
  const emulator = createCustomerIoEmulator({
    workspaces: [{ siteId: 'site', apiKey: 'key', region: 'us' }],
  });
  let customerio: LoopbackServer;

  beforeAll(async () => {
    customerio = await emulator.listen();
  });
  afterAll(async () => {
    await customerio?.close();
  });

  describe.each(runtimes)('$id', (runtime) => {
    let server: Started | undefined;

    beforeAll(async () => {
      server = await start(runtime, customerio.url);
    }, START_TIMEOUT_MS + 30_000);
    afterAll(async () => {
      await server?.stop();
    });

    const post = async (body: object, secret = SECRET) => {
      const webhook = await signedPurchaselyWebhook({ secret, body });
      return fetch(`${server!.url}${PATH}`, {
        method: 'POST',
        headers: webhook.headers,
        body: webhook.body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    };

    /** A failure message that carries the server's own output. */
    const withOutput = (what: string) =>
      `${what}\n--- ${runtime.id} output ---\n${server!.output()}`;

    it('is served by the expected runtime', async () => {
      const response = await fetch(`${server!.url}/__runtime`);
      const { runtime: name } = (await response.json()) as { runtime: string };
      expect(name).toMatch(runtime.runtime);
    });

    it('forwards a signed webhook to the Customer.io emulator over loopback', async () => {
      const user = `user-${runtime.id}`;
      const response = await post(purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: user }));
      const text = await response.text();
      expect(response.status, withOutput(`status; body: ${text}`)).toBe(200);
      expect(JSON.parse(text)).toMatchObject({ status: 'forwarded' });

      expect(emulator.people.get(user)?.attributes).toMatchObject({
        plan: 'monthly',
        last_event: 'SUBSCRIPTION_RENEWED',
      });
      expect(
        emulator.events.filter((event) => event.personId === user).map((event) => event.name),
      ).toEqual(['SUBSCRIPTION_RENEWED']);
      // Whichever Track API route the bridge uses, the person is in the path or the body.
      const requests = emulator.requests.filter(
        (request) => decodeURIComponent(request.path).includes(user) || request.body.includes(user),
      );
      expect(requests.length).toBeGreaterThan(0);
      for (const request of requests) {
        expect(request.siteId).toBe('site');
        expect(request.status).toBe(200);
      }
    });

    it('answers 401 to a bad signature and forwards nothing', async () => {
      const user = `intruder-${runtime.id}`;
      const before = emulator.requests.length;
      const response = await post(
        purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: user }),
        'not-the-secret',
      );
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_signature' });
      expect(emulator.requests).toHaveLength(before);
      expect(emulator.people.get(user)).toBeUndefined();
      expect(emulator.events.filter((event) => event.personId === user)).toEqual([]);
    });
  });
});
