import packageJson from '../package.json' with { type: 'json' };

/** This package's version, for `--version`. */
export const version: string = packageJson.version;
