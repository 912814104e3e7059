import { readFileSync } from 'node:fs';
import { readSettings, type Settings } from '../../shared/config/env.js';

/**
 * The one way every command gets its pipeline config: the default NBA pipeline, deep-merged with
 * SHOTCLOCK_CONFIG (JSON), then SHOTCLOCK_CONFIG_FILE, or the file given with `--config`, which
 * takes the place of SHOTCLOCK_CONFIG_FILE.
 */
let configFileOption: string | undefined;

/** Called once by the CLI before a command runs, with the global `--config` option. */
export function useConfigFile(path: string | undefined): void {
  configFileOption = path;
}

export function cliSettings(): Settings {
  const source = configFileOption ? { ...process.env, SHOTCLOCK_CONFIG_FILE: configFileOption } : process.env;
  return readSettings(source, (path) => readFileSync(path, 'utf8'));
}

/** SHOTCLOCK_WAREHOUSE when the user set it (the runtime default, BigQuery, is not a choice they made). */
export function explicitWarehouse(): string | undefined {
  return process.env.SHOTCLOCK_WAREHOUSE || undefined;
}
