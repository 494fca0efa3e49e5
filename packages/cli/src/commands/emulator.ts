import { createCustomerIoEmulator, type EmulatorRegion } from '@purchasely-customerio/testing';
import type { CAC } from 'cac';
import { followRequests } from '../emulator/request-log.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { shutdownSignal } from '../shutdown.js';

interface EmulatorFlags {
  port?: string | number;
  host?: string;
  region?: string;
  siteId?: string | number;
  apiKey?: string | number;
}

const DEFAULT_SITE_ID = 'test-site';
const DEFAULT_API_KEY = 'test-key';

export function registerEmulator(cli: CAC): void {
  cli
    .command('emulator', 'Run the Customer.io emulator (Track API v1 and v2) as a local server')
    .option('--port <port>', 'Port to listen on; 0 picks a free one', { default: 4010 })
    .option('--host <host>', 'Address to listen on', { default: '127.0.0.1' })
    .option('--region <region>', 'Region it stands for: us or eu (env CUSTOMERIO_REGION)')
    .option(
      '--site-id <id>',
      `Workspace site id (env CUSTOMERIO_SITE_ID; default ${DEFAULT_SITE_ID})`,
    )
    .option(
      '--api-key <key>',
      `Track API key it accepts (env CUSTOMERIO_API_KEY; default ${DEFAULT_API_KEY}); never printed`,
    )
    .example('  purchasely-customerio emulator')
    .example('  purchasely-customerio emulator --port 0 --region eu --site-id dev-site')
    .example('  CUSTOMERIO_API_KEY=dev-key purchasely-customerio emulator --site-id dev-site')
    .action((flags: EmulatorFlags) => runEmulator(flags, process.env));
}

async function runEmulator(
  flags: EmulatorFlags,
  env: Record<string, string | undefined>,
): Promise<number> {
  const port = Number(flags.port);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65_535))
    throw new UsageError(`--port must be a port number from 0 to 65535 (got ${flags.port})`);
  const fromEnv = env.CUSTOMERIO_REGION?.toLowerCase();
  // A bridge set to `auto` asks Customer.io for its region; the emulator stands for one: the default.
  const region = String(
    flags.region ?? (fromEnv === 'auto' ? undefined : fromEnv) ?? 'us',
  ).toLowerCase();
  if (region !== 'us' && region !== 'eu')
    throw new UsageError(`--region must be us or eu (got ${JSON.stringify(region)})`);
  const siteIdGiven = flags.siteId ?? env.CUSTOMERIO_SITE_ID;
  const apiKeyGiven = flags.apiKey ?? env.CUSTOMERIO_API_KEY;
  const siteId = String(siteIdGiven ?? DEFAULT_SITE_ID);
  const apiKey = String(apiKeyGiven ?? DEFAULT_API_KEY);
  if (siteId === '' || apiKey === '')
    throw new UsageError('--site-id and --api-key must not be empty');

  // Listening before saying it is ready: a signal sent on seeing the ready line must find the handler.
  const stopped = shutdownSignal();
  const emulator = createCustomerIoEmulator({
    workspaces: [{ siteId, apiKey, region: region as EmulatorRegion }],
  });
  const server = await emulator.listen({
    port,
    host: String(flags.host ?? '127.0.0.1'),
    region: region as EmulatorRegion,
  });
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const keyLine =
    apiKeyGiven === undefined
      ? `CUSTOMERIO_API_KEY=${DEFAULT_API_KEY}`
      : `CUSTOMERIO_API_KEY=<the key you gave ${flags.apiKey === undefined ? 'in CUSTOMERIO_API_KEY' : 'with --api-key'}>`;
  print(`Customer.io emulator (${region}) listening on ${server.url}`);
  print('Point the bridge at it with:');
  print(`  CUSTOMERIO_BASE_URL=${server.url}`);
  print(`  CUSTOMERIO_SITE_ID=${siteId}`);
  print(`  ${keyLine}`);
  print(`  CUSTOMERIO_REGION=${region}`);
  print('Requests (time, method, path, status, operations); Ctrl-C stops:');

  const following = followRequests(emulator, print);
  const signal = await stopped;
  following.stop();
  await server.close();
  const people = emulator.people.size;
  const events = emulator.events.length;
  print(
    `Stopped (${signal}): ${emulator.stats.requests} request${emulator.stats.requests === 1 ? '' : 's'}, ${people} ${people === 1 ? 'person' : 'people'}, ${events} event${events === 1 ? '' : 's'}; nothing is kept.`,
  );
  return EXIT.ok;
}
