import type { Env } from './customerio-settings.js';
import { UsageError } from './exit-codes.js';

/**
 * Purchasely's client shared secret from `--secret`, else `PURCHASELY_WEBHOOK_SECRET`. Never printed; a
 * missing one is a `UsageError` that names where to put it.
 */
export function webhookSecret(flag: unknown, env: Env): string {
  // cac reads `--secret 123` as a number: the secret is text.
  const secret = flag === undefined || flag === true ? env.PURCHASELY_WEBHOOK_SECRET : String(flag);
  if (secret === undefined || secret === '')
    throw new UsageError(
      "the webhook secret is missing: --secret or PURCHASELY_WEBHOOK_SECRET (Purchasely's client shared secret)",
    );
  return secret;
}
