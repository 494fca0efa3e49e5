/**
 * `pnpm demo`: Purchasely's published sample webhooks, signed, sent over HTTP through the Express example
 * server, then what Customer.io received.
 *
 * Without Customer.io credentials in the environment, Customer.io is the embedded emulator, served on
 * loopback as a real HTTP server. With CUSTOMERIO_SITE_ID and CUSTOMERIO_API_KEY (and CUSTOMERIO_REGION,
 * default us) set, the webhooks go to that real workspace instead, and only the answers are printed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PurchaselyBridgeConfig } from '@purchasely-customerio/core';
import {
  type CustomerIoEmulator,
  createCustomerIoEmulator,
  type EmulatorPerson,
  type LoopbackServer,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

/** The demo signs its own webhooks; a real server gets the secret from Purchasely's console. */
const DEMO_SECRET = 'demo-webhook-secret';
const FIXTURES = new URL('../../../packages/core/test/fixtures/purchasely/', import.meta.url);
const NAMES = {
  SUBSCRIPTION_STARTED: 'subscription_started',
  SUBSCRIPTION_RENEWED: 'subscription_renewed',
} as const;
const USER_PROPERTIES = { prefix: 'purchasely_', rename: { plan: 'subscription_plan' } } as const;

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[22m` : text);
const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[22m` : text);
const red = (text: string) => (color ? `\x1b[31m${text}\x1b[39m` : text);
const print = (line = '') => console.log(line);

interface Sample {
  file: string;
  body: Record<string, unknown>;
}

/** The published samples, in the order Purchasely created them. */
function loadSamples(): Sample[] {
  return readdirSync(FIXTURES)
    .filter((file) => file.endsWith('.json') && file !== 'signature-vectors.json')
    .map((file) => ({
      file,
      body: JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as Record<string, unknown>,
    }))
    .sort((a, b) => Number(a.body.event_created_at_ms) - Number(b.body.event_created_at_ms));
}

async function main(): Promise<number> {
  const real = Boolean(process.env.CUSTOMERIO_SITE_ID || process.env.CUSTOMERIO_API_KEY);
  const started = performance.now();

  let emulator: CustomerIoEmulator | undefined;
  let loopback: LoopbackServer | undefined;
  if (!real) {
    emulator = createCustomerIoEmulator({
      workspaces: [{ siteId: 'demo-site', apiKey: 'demo-key', region: 'us' }],
    });
    loopback = await emulator.listen();
  }
  const customerioUrl = loopback?.url;

  // The server's own configuration path (config.ts), fed the demo's settings.
  const env = real
    ? { ...process.env, CUSTOMERIO_REGION: process.env.CUSTOMERIO_REGION || 'us' }
    : {
        CUSTOMERIO_SITE_ID: 'demo-site',
        CUSTOMERIO_API_KEY: 'demo-key',
        CUSTOMERIO_BASE_URL: customerioUrl,
      };
  let bridgeConfig: PurchaselyBridgeConfig;
  try {
    const { bridge } = loadConfig({ ...env, PURCHASELY_WEBHOOK_SECRET: DEMO_SECRET, PORT: '0' });
    bridgeConfig = {
      ...bridge,
      sandbox: 'forward', // the published samples are SANDBOX events, ignored by default
      names: NAMES,
      userProperties: USER_PROPERTIES,
    };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`\n${error.message}\n`);
      return 1;
    }
    throw error;
  }

  const handlerLines: string[] = [];
  const app = createApp(bridgeConfig, { log: (line) => handlerLines.push(line) });
  const server = await listen(createServer(app));
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/purchasely`;

  print(bold('purchasely-customerio demo'));
  print(
    `  Customer.io  ${real ? `your workspace (region ${(bridgeConfig.customerio as { region: string }).region})` : `emulator, a real HTTP server on ${customerioUrl}`}`,
  );
  print(`  Server       Express example, POST ${webhookUrl}`);
  print(`  Bridge       sandbox: 'forward' (the samples are SANDBOX events, ignored by default)`);
  for (const [from, to] of Object.entries(NAMES)) print(`               names: ${from} → ${to}`);
  print(
    `               userProperties: prefix '${USER_PROPERTIES.prefix}', rename plan → subscription_plan`,
  );
  if (real) {
    print(
      red(
        '  Real Customer.io credentials found: the sample people (toto, …) are written to that workspace.',
      ),
    );
  }

  const samples = loadSamples();
  let unexpected = 0;
  let example: string | undefined;
  const send = async (sample: Sample) => {
    const webhook = await signedPurchaselyWebhook({ secret: DEMO_SECRET, body: sample.body });
    const response = await fetch(webhookUrl, { method: 'POST', ...webhook });
    const answer = await response.text();
    const summary = summarize(answer);
    const ok = response.ok && summary.ok;
    if (!ok) unexpected += 1;
    example ??= answer;
    const status = ok ? String(response.status) : red(String(response.status));
    print(
      `  ${pad(sample.file, 31)} ${pad(String(sample.body.event_name), 25)} ${status}  ${summary.text}`,
    );
    for (const line of handlerLines.splice(0)) print(`  ${' '.repeat(63)}${dim(`↳ ${line}`)}`);
  };

  print();
  print(
    bold(
      `Webhooks sent (${samples.length} samples, signed, over HTTP): HTTP status and JSON answer`,
    ),
  );
  for (const sample of samples) await send(sample);
  print(dim(`  Each answer is a small JSON body, e.g. ${example}`));

  if (emulator) printReceived(emulator);

  const again = samples.find((sample) => sample.body.event_name === 'SUBSCRIPTION_RENEWED');
  if (again) {
    print();
    print(bold('The same webhook again (Purchasely re-delivers anything not answered 200)'));
    const eventsBefore = emulator?.events.length;
    await send(again);
    if (emulator) {
      print(
        `  Customer.io events: ${eventsBefore} before, ${emulator.events.length} after (and had it reached Customer.io, the same dedup id would be ignored)`,
      );
    }
  }

  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await loopback?.close();

  print();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (unexpected > 0) {
    print(red(`${unexpected} webhook(s) got an unexpected answer (${seconds} s).`));
    return 1;
  }
  print(
    `Done in ${seconds} s.${real ? ' See the people and events in your workspace (Activity Logs).' : ''}`,
  );
  return 0;
}

/** The answer in a few words: `forwarded as subscription_renewed`, `skipped (event_disabled)`, `duplicate`. */
function summarize(answer: string): { ok: boolean; text: string } {
  try {
    const json = JSON.parse(answer) as Record<string, string | undefined>;
    switch (json.status) {
      case 'forwarded':
        return { ok: true, text: `forwarded as ${json.customerio_event}` };
      case 'skipped':
        return { ok: true, text: `skipped (${json.reason})` };
      case 'duplicate':
        return { ok: true, text: 'duplicate (already delivered)' };
      default:
        return { ok: false, text: red(answer) };
    }
  } catch {
    return { ok: false, text: red(answer) };
  }
}

function printReceived(emulator: CustomerIoEmulator): void {
  const people = [...emulator.people.values()];
  print();
  print(
    bold(
      `What Customer.io received: ${plural(people.length, 'person', 'people')}, ${plural(emulator.events.length, 'event', 'events')}`,
    ),
  );
  for (const person of people) printPerson(person);

  print();
  print(bold('  Events (final names)'));
  const rows = emulator.events.map((event) => [
    event.name,
    event.personId !== undefined ? `person ${event.personId}` : `anonymous ${event.anonymousId}`,
    event.timestamp === undefined ? '-' : `${event.timestamp}  ${human(event.timestamp)}`,
    event.id ?? '-',
  ]);
  table([['name', 'who', 'timestamp', 'dedup id'], ...rows]);
}

function printPerson(person: Readonly<EmulatorPerson>): void {
  print();
  print(`  ${bold(`Person ${person.id}`)}  ${dim(`${person.updates.length} attribute update(s)`)}`);
  const names = Object.keys(person.attributes).sort();
  const width = Math.max(...names.map((name) => name.length));
  for (const name of names) {
    const value = person.attributes[name];
    const shown =
      typeof value === 'number' && name.endsWith('_at')
        ? `${value}  ${human(value)}`
        : String(value);
    print(`    ${pad(name, width)}  ${shown}`);
  }
}

function table(rows: string[][]): void {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  rows.forEach((row, index) => {
    const line = row.map((cell, column) => pad(cell, widths?.[column] ?? 0)).join('  ');
    print(`    ${index === 0 ? dim(line.trimEnd()) : line.trimEnd()}`);
  });
}

const human = (unixSeconds: number) =>
  `${new Date(unixSeconds * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')}`;
const pad = (text: string, width: number) => text.padEnd(width);
const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
