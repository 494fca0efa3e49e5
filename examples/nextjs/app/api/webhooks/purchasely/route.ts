/**
 * POST /api/webhooks/purchasely: Purchasely's webhooks into Customer.io, as a Next.js App Router route handler.
 */
import {
  type PurchaselyFetchHandler,
  purchaselyWebhook,
} from '@purchasely-customerio/adapters/fetch';

export const runtime = 'nodejs'; // 'edge' works too (Next 16 deprecates it): Web APIs only
export const dynamic = 'force-dynamic';

let handler: PurchaselyFetchHandler | undefined;

// Built on the first request rather than at import: `next build` imports route modules, where the secrets
// may not be set. A missing or bad setting throws here, so Next answers 500 and logs which setting is wrong;
// Purchasely re-delivers once it is fixed.
export function POST(request: Request): Promise<Response> {
  handler ??= purchaselyWebhook({
    webhookSecret: process.env.PURCHASELY_WEBHOOK_SECRET!,
    customerio: {
      siteId: process.env.CUSTOMERIO_SITE_ID!,
      apiKey: process.env.CUSTOMERIO_API_KEY!,
      region: (process.env.CUSTOMERIO_REGION ?? 'us') as 'us' | 'eu' | 'auto',
      baseUrl: process.env.CUSTOMERIO_BASE_URL, // optional: a proxy, or the Customer.io emulator
    },
    sandbox: process.env.PURCHASELY_SANDBOX === 'forward' ? 'forward' : 'ignore',
  });
  return handler(request);
}
