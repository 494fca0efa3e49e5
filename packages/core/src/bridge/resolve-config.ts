import type { CustomerIoClient } from '../customerio/index.js';
import { type CustomerIoSender, createCustomerIoSender } from '../customerio/sender.js';
import {
  createEventNamer,
  createUserPropertyMapper,
  defaultIdentify,
  type EventNamer,
  type IdentifyResolver,
  PurchaselyBridgeConfigError,
  type UserPropertyMapper,
} from '../mapping/index.js';
import { assertOptionalFunction, resolveSecrets, resolveTolerance } from '../signature/config.js';
import { createPurchaselyVerifier, type PurchaselyVerifier } from '../signature/index.js';
import { createMemoryStore } from '../state/memory-store.js';
import type { BridgeStore } from '../state/store.js';
import type { WebhookArchive } from './archive.js';
import type {
  BridgeHooks,
  CustomerIoSetting,
  HandlerFailurePolicy,
  PurchaselyBridgeConfig,
} from './config.js';
import { type BridgeLogger, createConsoleLogger, silentLogger } from './logger.js';
import type { DeliveryQueue } from './queue.js';

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_DELIVERY_BUDGET_MS = 7000;
const DEFAULT_BODY_READ_TIMEOUT_MS = 5000;

/**
 * Where each environment's events go: a Customer.io sender by workspace, or nowhere. A sender is what
 * delivery uses of a client; built from options it is the lean one, so bundles leave the rest out.
 */
export interface Workspaces {
  production: CustomerIoSender;
  /** Undefined when sandbox events are ignored. */
  sandbox: CustomerIoSender | undefined;
}

/** The configuration, checked and with every default applied: built once, at start-up. */
export interface ResolvedConfig {
  /** Keys imported once, options checked once. */
  verifier: PurchaselyVerifier;
  namer: EventNamer;
  toAttributes: UserPropertyMapper;
  identify: IdentifyResolver;
  workspaces: Workspaces;
  store: BridgeStore;
  queue: DeliveryQueue | undefined;
  archive: WebhookArchive | undefined;
  maxBodyBytes: number;
  bodyReadTimeoutMs: number;
  deliveryBudgetMs: number;
  onHandlerError: HandlerFailurePolicy;
  onIdentifyError: HandlerFailurePolicy;
  logger: BridgeLogger;
  hooks: BridgeHooks;
}

/**
 * Checks the configuration and applies the defaults. Every mistake throws a `PurchaselyBridgeConfigError`
 * naming the setting (never a secret's value), so it fails at start-up rather than on the first webhook.
 */
export function resolveConfig(config: PurchaselyBridgeConfig): ResolvedConfig {
  const secrets = asConfigError('webhookSecret', () => resolveSecrets(config.webhookSecret));
  if (secrets.some((secret) => secret.trim() === '')) {
    throw new PurchaselyBridgeConfigError(
      'webhookSecret',
      "a secret is blank: set Purchasely's client shared secret (an unset environment variable is the usual cause).",
    );
  }
  // Each checked on its own first, so the error names the setting as the bridge's config spells it.
  asConfigError('signature.toleranceSeconds', () =>
    resolveTolerance(config.signature?.toleranceSeconds),
  );
  asConfigError('signature.now', () => assertOptionalFunction(config.signature?.now, 'now'));
  const verifier = asConfigError('signature', () =>
    createPurchaselyVerifier({ ...config.signature, secret: secrets }),
  );
  const deliveryBudgetMs = positive(
    config.deliveryBudgetMs,
    DEFAULT_DELIVERY_BUDGET_MS,
    'deliveryBudgetMs',
  );
  return {
    verifier,
    namer: createEventNamer(config),
    toAttributes:
      config.userProperties === false
        ? () => ({})
        : createUserPropertyMapper(config.userProperties),
    identify: config.identify ?? defaultIdentify,
    workspaces: resolveWorkspaces(config, deliveryBudgetMs),
    store: config.store ?? createMemoryStore(),
    queue: config.queue,
    archive: resolveArchive(config.archive),
    maxBodyBytes: positive(config.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes'),
    bodyReadTimeoutMs: positive(
      config.bodyReadTimeoutMs,
      DEFAULT_BODY_READ_TIMEOUT_MS,
      'bodyReadTimeoutMs',
    ),
    deliveryBudgetMs,
    onHandlerError: config.onHandlerError ?? 'retry',
    onIdentifyError: config.onIdentifyError ?? 'retry',
    logger: config.logger === false ? silentLogger : (config.logger ?? createConsoleLogger()),
    hooks: config.hooks ?? {},
  };
}

function resolveWorkspaces(config: PurchaselyBridgeConfig, budgetMs: number): Workspaces {
  const production = toSender(config.customerio, 'customerio', budgetMs);
  const sandbox = config.sandbox ?? 'ignore';
  if (typeof sandbox === 'object' && sandbox !== null) {
    return { production, sandbox: toSender(sandbox.customerio, 'sandbox.customerio', budgetMs) };
  }
  if (sandbox === 'forward') return { production, sandbox: production };
  if (sandbox === 'ignore') return { production, sandbox: undefined };
  throw new PurchaselyBridgeConfigError(
    'sandbox',
    "expected 'ignore', 'forward' or { customerio }.",
  );
}

function resolveArchive(archive: unknown): WebhookArchive | undefined {
  if (archive === undefined) return undefined;
  if (typeof (archive as Partial<WebhookArchive> | null)?.write !== 'function') {
    throw new PurchaselyBridgeConfigError(
      'archive',
      'expected a sink with a write(record) method, such as createFileArchive().',
    );
  }
  return archive as WebhookArchive;
}

function asConfigError<T>(setting: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new PurchaselyBridgeConfigError(setting, message, { cause: error });
  }
}

function positive(value: unknown, fallback: number, setting: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new PurchaselyBridgeConfigError(setting, 'expected a positive number.');
  }
  return value;
}

function toSender(setting: CustomerIoSetting, name: string, budgetMs: number): CustomerIoSender {
  if (typeof setting !== 'object' || setting === null) {
    throw new PurchaselyBridgeConfigError(
      name,
      'expected Customer.io client options ({ siteId, apiKey, region }) or a client.',
    );
  }
  if ('batch' in setting && typeof setting.batch === 'function') return setting;
  const options = setting as Exclude<CustomerIoSetting, CustomerIoClient>;
  try {
    // Each request's retries end inside the delivery budget, which bounds the whole delivery (a batch and
    // a merge), so the answer reaches Purchasely before its 10 s timeout.
    return createCustomerIoSender({
      timeoutMs: Math.min(3000, budgetMs),
      ...options,
      retry: options.retry === false ? false : { budgetMs: budgetMs - 500, ...options.retry },
    });
  } catch (error) {
    throw new PurchaselyBridgeConfigError(
      name,
      error instanceof Error ? error.message : String(error),
      { cause: error },
    );
  }
}
