import { z } from 'zod';
import { issueLines } from '../messages/pubsub-event.js';
import { ConfigError, deepMerge, loadPipelineConfig } from './load.js';
import type { PipelineConfig } from './schema.js';

/**
 * Everything shotclock reads from the environment, parsed once. Nothing else
 * reads `process.env`.
 */
export const RuntimeEnv = z.object({
  GOOGLE_CLOUD_PROJECT: z.string().optional(),
  /** JSON deep-merged over the default pipeline */
  SHOTCLOCK_CONFIG: z.string().optional(),
  /** a JSON file deep-merged over the default pipeline (after SHOTCLOCK_CONFIG) */
  SHOTCLOCK_CONFIG_FILE: z.string().optional(),
  /** `bigquery` in production; `duckdb:<file>` locally */
  SHOTCLOCK_WAREHOUSE: z
    .string()
    .regex(/^(bigquery|duckdb:.+)$/, 'expected bigquery or duckdb:<file>')
    .default('bigquery'),
  /**
   * Where BigQuery runs shotclock's jobs (`US`, `us-west2`, ...): the location
   * of the datasets it reads, which the deploy reads and sets. Unset, BigQuery
   * routes each job to the location of the datasets it names. Not the
   * functions' region: a job sent elsewhere than its datasets fails.
   */
  SHOTCLOCK_BIGQUERY_LOCATION: z.string().min(1).optional(),
  /** `gcs` in production; `folder:<dir>` locally (laid out as <dir>/<bucket>/<path>) */
  SHOTCLOCK_OBJECT_STORE: z
    .string()
    .regex(/^(gcs|folder:.+)$/, 'expected gcs or folder:<dir>')
    .default('gcs'),
  /** Slack incoming webhook, injected from Secret Manager; never logged */
  SLACK_WEBHOOK_URL: z.string().url().optional(),
  FIRESTORE_EMULATOR_HOST: z.string().optional(),
  PUBSUB_EMULATOR_HOST: z.string().optional(),
  K_SERVICE: z.string().optional(),
  FUNCTION_TARGET: z.string().optional(),
});
export type RuntimeEnv = Readonly<z.infer<typeof RuntimeEnv>>;

export interface Settings {
  env: RuntimeEnv;
  config: PipelineConfig;
  projectId: string;
}

/** Reads the file SHOTCLOCK_CONFIG_FILE names. Injected, so shared/config itself does no I/O. */
export type ConfigFileReader = (path: string) => string;

export function readSettings(
  source: Record<string, string | undefined> = process.env,
  readConfigFile?: ConfigFileReader,
): Settings {
  const parsed = RuntimeEnv.safeParse(source);
  if (!parsed.success) throw new ConfigError(issueLines(parsed.error).map((line) => `env ${line}`));
  const env = Object.freeze(parsed.data);
  const overrides: unknown[] = [];
  if (env.SHOTCLOCK_CONFIG) overrides.push(parseJson('SHOTCLOCK_CONFIG', env.SHOTCLOCK_CONFIG));
  if (env.SHOTCLOCK_CONFIG_FILE)
    overrides.push(parseJson(env.SHOTCLOCK_CONFIG_FILE, readFile(env.SHOTCLOCK_CONFIG_FILE, readConfigFile)));
  const config = loadPipelineConfig(overrides.reduce((merged, next) => deepMerge(merged, next), {}));
  return Object.freeze({ env, config, projectId: env.GOOGLE_CLOUD_PROJECT ?? config.project.id });
}

function readFile(path: string, reader: ConfigFileReader | undefined): string {
  if (!reader)
    throw new ConfigError([
      `env SHOTCLOCK_CONFIG_FILE: this entry point reads no files; put the override in SHOTCLOCK_CONFIG`,
    ]);
  try {
    return reader(path);
  } catch (error) {
    throw new ConfigError([`env SHOTCLOCK_CONFIG_FILE: cannot read ${path} (${(error as Error).message})`]);
  }
}

function parseJson(where: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${where}: not JSON (${(error as Error).message})`]);
  }
}
