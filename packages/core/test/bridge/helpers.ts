import {
  type CustomerIoEmulator,
  createCustomerIoEmulator,
  type EmulatorWorkspace,
  signedPurchaselyWebhook,
  type WebhookBody,
} from '@purchasely-customerio/testing';
import {
  type BridgeLogger,
  type CustomerIoClientOptions,
  createPurchaselyBridge,
  type PurchaselyBridge,
  type PurchaselyBridgeConfig,
} from '../../src/index.js';

export const SECRET = 'whsec_purchasely_S3CR3T_0f9e8d7c';
export const SITE_ID = 'site-production';
export const API_KEY = 'cio_track_key_PROD_5b4a3928';
export const SANDBOX_SITE_ID = 'site-sandbox';
export const SANDBOX_API_KEY = 'cio_track_key_SANDBOX_77aa11';

export const WORKSPACES: EmulatorWorkspace[] = [
  { siteId: SITE_ID, apiKey: API_KEY, region: 'us' },
  { siteId: SANDBOX_SITE_ID, apiKey: SANDBOX_API_KEY, region: 'us' },
];

/** Client options that reach the emulator at once: no rate limit, instant retries. */
export function clientOptions(
  emulator: CustomerIoEmulator,
  overrides: Partial<CustomerIoClientOptions> = {},
): CustomerIoClientOptions {
  return {
    siteId: SITE_ID,
    apiKey: API_KEY,
    region: 'us',
    fetch: emulator.fetch,
    rateLimit: false,
    // Retry waits of 0 ms: a backoff jitter factor of 0, and Retry-After shortened to 0.
    retry: { random: () => 0, maxRetryAfterMs: 0 },
    ...overrides,
  };
}

export interface LogCall {
  level: 'debug' | 'info' | 'warn' | 'error';
  object: Record<string, unknown>;
  message: string;
}

/** A logger that records every call. */
export function recordingLogger(): BridgeLogger & { calls: LogCall[] } {
  const calls: LogCall[] = [];
  const at = (level: LogCall['level']) => (object: Record<string, unknown>, message: string) =>
    calls.push({ level, object, message });
  return { calls, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface Setup {
  emulator: CustomerIoEmulator;
  bridge: PurchaselyBridge;
}

/** A bridge wired to a fresh two-workspace emulator (production first). */
export function setup(
  config: Partial<PurchaselyBridgeConfig> = {},
  client: Partial<CustomerIoClientOptions> = {},
): Setup {
  const emulator = createCustomerIoEmulator({ workspaces: WORKSPACES });
  const bridge = createPurchaselyBridge({
    webhookSecret: SECRET,
    customerio: clientOptions(emulator, client),
    // Quiet unless a test asks for a logger (the default prints warnings to the console).
    logger: false,
    ...config,
  });
  return { emulator, bridge };
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  json: Record<string, unknown>;
  body: string;
}

/** Signs a body now (or at `timestamp`) and hands it to `bridge.handle`. */
export async function send(
  bridge: PurchaselyBridge,
  body: WebhookBody,
  options: { secret?: string; timestamp?: number } = {},
): Promise<Answer> {
  const webhook = await signedPurchaselyWebhook({
    secret: options.secret ?? SECRET,
    body,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  const response = await bridge.handle({ method: 'POST', ...webhook });
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}

export function parseBody(body: string): unknown {
  return JSON.parse(body);
}
