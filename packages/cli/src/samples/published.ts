/**
 * Purchasely's published sample webhooks (the JSON files here, as Purchasely's documentation gives them:
 * the same files as core's test fixtures), by event name, for `send --sample`.
 */
import activate from './activate.json' with { type: 'json' };
import deactivate from './deactivate.json' with { type: 'json' };
import subscriptionRenewed from './subscription-renewed.json' with { type: 'json' };
import subscriptionStarted from './subscription-started.json' with { type: 'json' };
import subscriptionTerminated from './subscription-terminated.json' with { type: 'json' };
import subscriptionTransferred from './subscription-transferred.json' with { type: 'json' };
import transactionProcessed from './transaction-processed.json' with { type: 'json' };

export const PUBLISHED_SAMPLES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  ACTIVATE: activate,
  DEACTIVATE: deactivate,
  SUBSCRIPTION_RENEWED: subscriptionRenewed,
  SUBSCRIPTION_STARTED: subscriptionStarted,
  SUBSCRIPTION_TERMINATED: subscriptionTerminated,
  SUBSCRIPTION_TRANSFERRED: subscriptionTransferred,
  TRANSACTION_PROCESSED: transactionProcessed,
};
