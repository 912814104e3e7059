import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readSettings } from '../../shared/config/env.js';
import { ConfigError } from '../../shared/config/load.js';

export function register(program: Command): void {
  program
    .command('config')
    .description(
      'Print the effective pipeline config (default deep-merged with SHOTCLOCK_CONFIG[_FILE]), or its problems',
    )
    .action(() => {
      try {
        console.log(
          JSON.stringify(readSettings(undefined, (path) => readFileSync(path, 'utf8')).config, null, 2),
        );
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        console.error(error.message);
        process.exitCode = 2;
      }
    });
}
