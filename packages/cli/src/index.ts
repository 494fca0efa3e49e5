/**
 * `@purchasely-customerio/cli`: the `purchasely-customerio` command line, and the webhook archive's Node
 * file sink.
 *
 * @packageDocumentation
 */
export { createFileArchive, type FileArchive, type FileArchiveOptions } from './archive/index.js';
