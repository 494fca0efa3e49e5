/**
 * The fetch adapter of purchasely-customerio.
 *
 * The adapter itself arrives with the bridge (`purchaselyWebhook(bridgeOrConfig)`); until then this entry
 * only names itself, so that the package's build, exports map and type checks are in place.
 *
 * @packageDocumentation
 */

/** The framework this entry adapts. */
export const frameworkName = 'fetch';
