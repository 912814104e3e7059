import type { Command } from 'commander';
import { cliSettings } from './settings.js';

export function register(program: Command): void {
  program
    .command('config')
    .description(
      'Print the effective pipeline config (default deep-merged with SHOTCLOCK_CONFIG, then SHOTCLOCK_CONFIG_FILE or --config), or its problems',
    )
    .action(() => {
      console.log(JSON.stringify(cliSettings().config, null, 2));
    });
}
