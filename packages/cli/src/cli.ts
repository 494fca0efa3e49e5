/**
 * `purchasely-customerio`: the operations command line. Each command lives in `commands/`, registers itself
 * on the cac instance, and returns an exit code: 0 ok, 1 failure, 2 usage.
 */
import { cac } from 'cac';
import { registerCommands } from './commands/index.js';
import { EXIT, UsageError } from './exit-codes.js';
import { restoreOptionStrings } from './option-strings.js';
import { version } from './version.js';

const cli = cac('purchasely-customerio');
registerCommands(cli);
cli.help();
cli.version(version);

async function main(): Promise<number> {
  try {
    cli.parse(process.argv, { run: false });
    restoreOptionStrings(process.argv.slice(2), cli.options);
    if (cli.options.help || cli.options.version) return EXIT.ok;
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) throw new UsageError(`unknown command: ${cli.args[0]}`);
      cli.outputHelp();
      return EXIT.usage;
    }
    const code = await cli.runMatchedCommand();
    return typeof code === 'number' ? code : EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && error.name === 'CACError')) {
      process.stderr.write(`purchasely-customerio: ${error.message}\nRun with --help for usage.\n`);
      return EXIT.usage;
    }
    process.stderr.write(
      `purchasely-customerio: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT.failure;
  }
}

// `purchasely-customerio dead-letters list | head`: the reader leaving is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
  throw error;
});

process.exitCode = await main();
