import { Command, CommanderError } from 'commander';
import { useConfigFile } from './settings.js';
import { userErrorLine } from './user-error.js';

/**
 * One entry point for every operator command. Each command lives in its own
 * file under scripts/cli/ and registers itself here. Every error ends here:
 * a user's mistake is one line on stderr and exit code 2; anything else is
 * one line and exit code 1; `--debug` adds the stack trace.
 *
 * Returns the exit code; `argv` as in `process.argv` (node, script, args...).
 */
export async function runShotclock(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const program = new Command()
    .name('shotclock')
    .description('Keeps a daily multi-phase data pipeline honest: gates, retries, triggers, grading, probes')
    .option(
      '--config <file>',
      'pipeline config JSON, deep-merged over the default (instead of SHOTCLOCK_CONFIG_FILE)',
    )
    .option('--debug', 'show the stack trace of an error')
    .exitOverride()
    .configureOutput({
      // Commander's own parse errors (unknown option, missing argument): one line, pointing at --help.
      outputError: (message, write) =>
        write(`shotclock: ${message.replace(/^error: /, '').trim()} (see shotclock --help)\n`),
    })
    .hook('preAction', () => useConfigFile(program.opts<{ config?: string }>().config));

  const commands = await Promise.all([
    import('./config-command.js'),
    import('./grade-command.js'),
    import('./deploy-command.js'),
    import('./replay-command.js'),
    import('./local-command.js'),
    import('./probe-command.js'),
    import('./status-command.js'),
  ]);
  // Registered after exitOverride and configureOutput, so every subcommand inherits them.
  for (const command of commands) command.register(program);

  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return exitCodeFor(error, debug);
  } finally {
    useConfigFile(undefined);
  }
}

function exitCodeFor(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError)
    // Help and version are "errors" to commander; its parse errors were already printed.
    return error.exitCode === 0 ? 0 : 2;
  const line = userErrorLine(error);
  if (debug && error instanceof Error) console.error(error.stack);
  if (line !== undefined) {
    if (!debug) console.error(`shotclock: ${line}`);
    return 2;
  }
  if (!debug)
    console.error(
      `shotclock: ${error instanceof Error ? error.message.split('\n')[0] : String(error)} (run again with --debug for the stack trace)`,
    );
  return 1;
}
