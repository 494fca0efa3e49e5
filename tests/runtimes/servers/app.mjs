/**
 * The app every runtime serves: the BUILT fetch adapter (resolved through the workspace package's
 * `dist/`), configured from the runtime's environment, plus `GET /__runtime` so the test can check
 * which runtime actually answered.
 */
import { purchaselyWebhook } from '@purchasely-customerio/adapters/fetch';

/**
 * @param {Record<string, string | undefined>} env `WEBHOOK_SECRET` and `CUSTOMERIO_BASE_URL` (the emulator)
 * @param {string} runtime a description of the runtime, e.g. `node v22.23.3`
 * @returns {(request: Request) => Promise<Response>}
 */
export function createApp(env, runtime) {
  const webhook = purchaselyWebhook({
    webhookSecret: required(env, 'WEBHOOK_SECRET'),
    customerio: {
      siteId: env.CUSTOMERIO_SITE_ID ?? 'site',
      apiKey: env.CUSTOMERIO_API_KEY ?? 'key',
      region: 'us',
      baseUrl: required(env, 'CUSTOMERIO_BASE_URL'),
      rateLimit: false,
    },
  });
  return async (request) => {
    if (request.method === 'GET' && new URL(request.url).pathname === '/__runtime') {
      return Response.json({ runtime });
    }
    return webhook(request);
  };
}

/** The line a server prints once it listens; the test waits for it. */
export const readyLine = (port) => `RUNTIME_SERVER_READY ${JSON.stringify({ port })}`;

function required(env, name) {
  const value = env[name];
  if (!value) throw new Error(`runtime server: the environment variable ${name} is required`);
  return value;
}
