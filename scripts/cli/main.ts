import { Command } from 'commander';

/**
 * One entry point for every operator command. Each command lives in its own
 * file under scripts/cli/ and registers itself here.
 */
const program = new Command()
  .name('shotclock')
  .description('Keeps a daily multi-phase data pipeline honest: gates, retries, triggers, grading, probes')
  .showHelpAfterError();

const commands = await Promise.all([
  import('./config-command.js'),
  import('./grade-command.js'),
  import('./deploy-command.js'),
  import('./replay-command.js'),
  import('./local-command.js'),
  import('./probe-command.js'),
]);
for (const command of commands) command.register(program);

await program.parseAsync(process.argv);
