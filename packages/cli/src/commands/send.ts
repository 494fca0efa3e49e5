import {
  isPurchaselyEventName,
  PURCHASELY_EVENT_NAMES,
  signPurchaselyWebhook,
} from '@purchasely-customerio/core';
import { purchaselyEvent } from '@purchasely-customerio/testing';
import type { CAC } from 'cac';
import { EXIT, UsageError } from '../exit-codes.js';
import { readInput } from '../read-input.js';
import { PUBLISHED_SAMPLES } from '../samples/published.js';
import { webhookSecret } from '../secret.js';

interface SendFlags {
  url?: string;
  secret?: unknown;
  sample?: string;
  userId?: unknown;
  sandbox?: boolean;
  listSamples?: boolean;
  timestamp?: unknown;
}

export function registerSend(cli: CAC): void {
  cli
    .command(
      'send [payload]',
      'Sign a Purchasely webhook payload (a JSON file, or - for stdin) and POST it to a URL',
    )
    .option('--url <url>', 'Where to POST it (your webhook route)')
    .option(
      '--secret <secret>',
      'Client shared secret (env PURCHASELY_WEBHOOK_SECRET); never printed',
    )
    .option(
      '--sample <event>',
      "Send a sample of this event instead of a file: Purchasely's published one where there is one, else generated; a fresh event_id, PRODUCTION",
    )
    .option('--user-id <id>', 'With --sample: the user_id (default toto)')
    .option('--sandbox', 'With --sample: a SANDBOX event (default PRODUCTION)')
    .option('--timestamp <seconds>', 'Sign with this Unix timestamp instead of now')
    .option(
      '--list-samples',
      'List the event names --sample takes (published: Purchasely publishes a sample of it)',
    )
    .example(
      '  purchasely-customerio send event.json --url http://localhost:3000/webhooks/purchasely',
    )
    .example(
      '  PURCHASELY_WEBHOOK_SECRET=… purchasely-customerio send --sample SUBSCRIPTION_STARTED --url http://localhost:3000/webhooks/purchasely',
    )
    .example(
      '  cat event.json | purchasely-customerio send - --url http://localhost:3000/webhooks/purchasely',
    )
    .example('  purchasely-customerio send --list-samples')
    .action((payload: string | undefined, flags: SendFlags) => runSend(payload, flags));
}

async function runSend(payload: string | undefined, flags: SendFlags): Promise<number> {
  if (flags.listSamples) {
    for (const name of PURCHASELY_EVENT_NAMES) {
      process.stdout.write(`${name}${name in PUBLISHED_SAMPLES ? '\tpublished' : ''}\n`);
    }
    return EXIT.ok;
  }
  if (payload !== undefined && flags.sample !== undefined)
    throw new UsageError('give a payload file or --sample, not both');
  // `-` reaches us as no argument (cac drops it): stdin then, when something is piped in.
  const source = payload ?? (flags.sample === undefined && !process.stdin.isTTY ? '-' : undefined);
  if (source === undefined && flags.sample === undefined)
    throw new UsageError('give a payload file (or - for stdin), or --sample <EVENT_NAME>');
  if (flags.url === undefined || typeof flags.url !== 'string')
    throw new UsageError('--url is missing: where to POST the webhook');
  let url: URL;
  try {
    url = new URL(flags.url);
  } catch {
    // Not echoed: a URL that does not parse may still hold a password.
    throw new UsageError('--url is not a URL (its value is not shown: it may hold credentials)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(
      `--url is not an http(s) URL: ${url.protocol}//${url.host}${url.pathname}`,
    );
  if (url.username !== '' || url.password !== '')
    throw new UsageError(
      `--url holds credentials, which fetch refuses to send: give ${url.protocol}//${url.host}${url.pathname} without them`,
    );
  const secret = webhookSecret(flags.secret, process.env);
  const timestamp = flags.timestamp === undefined ? undefined : Number(flags.timestamp);
  if (timestamp !== undefined && !(Number.isInteger(timestamp) && timestamp > 0))
    throw new UsageError('--timestamp must be Unix seconds');

  const body = source === undefined ? sampleBody(flags) : await payloadBody(source);
  const signature = await signPurchaselyWebhook({
    secret,
    body,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signature },
      body,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    process.stderr.write(
      `Could not POST to ${url.origin}${url.pathname}: ${cause?.code ?? cause?.message ?? (error as Error).message}\n`,
    );
    return EXIT.failure;
  }
  const answer = await response.text();
  process.stdout.write(`HTTP ${response.status} ${response.statusText}\n`);
  if (answer !== '') process.stdout.write(answer.endsWith('\n') ? answer : `${answer}\n`);
  return response.ok ? EXIT.ok : EXIT.failure;
}

/** The file's bytes, sent as they are (so its signature is over exactly what is sent), once checked as JSON. */
async function payloadBody(path: string): Promise<string> {
  const body = await readInput(path);
  if (path === '-' && body.trim() === '')
    throw new UsageError(
      'nothing on stdin: give a payload file (or pipe one), or --sample <EVENT_NAME>',
    );
  try {
    JSON.parse(body);
  } catch (error) {
    throw new UsageError(
      `${path === '-' ? 'stdin' : path} is not JSON: ${(error as Error).message}`,
    );
  }
  return body;
}

function sampleBody(flags: SendFlags): string {
  const name = String(flags.sample).toUpperCase();
  if (!isPurchaselyEventName(name))
    throw new UsageError(
      `no sample for ${JSON.stringify(flags.sample)}: run send --list-samples for the event names`,
    );
  const overrides = {
    ...(flags.userId === undefined ? {} : { user_id: String(flags.userId) }),
    // Production unless asked: the published samples are sandbox events, which a bridge ignores by default.
    environment: flags.sandbox ? 'SANDBOX' : 'PRODUCTION',
  } as const;
  const published = PUBLISHED_SAMPLES[name];
  // A fresh event_id: the bridge would answer a second send of the same id as a duplicate.
  return JSON.stringify(
    published === undefined
      ? purchaselyEvent(name, overrides)
      : { ...published, event_id: crypto.randomUUID(), ...overrides },
  );
}
