/**
 * `@purchasely-customerio/cli`: the `purchasely-customerio` command line, and the webhook archive's Node
 * file sink.
 *
 * @packageDocumentation
 */
export {};
