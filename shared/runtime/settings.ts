import { readFileSync } from 'node:fs';
import { readSettings, type Settings } from '../config/env.js';

/**
 * Settings as every deployed function reads them: the environment, with the pipeline config from
 * SHOTCLOCK_CONFIG (JSON) and SHOTCLOCK_CONFIG_FILE (a file in the bundle or a mounted secret).
 */
export function runtimeSettings(): Settings {
  return readSettings(undefined, (path) => readFileSync(path, 'utf8'));
}
