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
  /** freshness gate: who may open a blocked date (comma-separated emails or `@domain`) */
  SHOTCLOCK_GATE_OVERRIDERS: z.string().optional(),
  /** freshness gate: audiences accepted besides the URL the request came to (comma-separated) */
  SHOTCLOCK_GATE_AUDIENCE: z.string().optional(),
  /** where Google's ID-token signing certificates are read (default Google's; tests serve their own) */
  SHOTCLOCK_ID_TOKEN_CERTS_URL: z.string().url().optional(),
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
  /** the user's override as given (SHOTCLOCK_CONFIG, then the file), before the default is merged in */
  override: unknown;
}

/**
 * Reads the file SHOTCLOCK_CONFIG_FILE names. Injected, so shared/config itself does no I/O: the
 * functions get it from `shared/runtime/settings.ts`, the CLI from `scripts/cli/settings.ts`.
 */
export type ConfigFileReader = (path: string) => string;

/** The environment alone, without loading the pipeline config (a probe checking variables). */
export function readRuntimeEnv(source: Record<string, string | undefined> = process.env): RuntimeEnv {
  const parsed = RuntimeEnv.safeParse(source);
  if (!parsed.success) throw new ConfigError(issueLines(parsed.error).map((line) => `env ${line}`));
  return Object.freeze(parsed.data);
}

export function readSettings(
  source: Record<string, string | undefined> = process.env,
  readConfigFile?: ConfigFileReader,
): Settings {
  const env = readRuntimeEnv(source);
  const overrides: unknown[] = [];
  const sources: string[] = [];
  if (env.SHOTCLOCK_CONFIG) {
    overrides.push(parseJson('SHOTCLOCK_CONFIG', env.SHOTCLOCK_CONFIG));
    sources.push('SHOTCLOCK_CONFIG');
  }
  if (env.SHOTCLOCK_CONFIG_FILE) {
    overrides.push(parseJson(env.SHOTCLOCK_CONFIG_FILE, readFile(env.SHOTCLOCK_CONFIG_FILE, readConfigFile)));
    sources.push(env.SHOTCLOCK_CONFIG_FILE);
  }
  const override = deepFreeze(overrides.reduce((merged, next) => deepMerge(merged, next), {}));
  let config: PipelineConfig;
  try {
    config = loadPipelineConfig(override);
  } catch (error) {
    if (error instanceof ConfigError && sources.length)
      throw new ConfigError(error.problems, sources.join(' + '));
    throw error;
  }
  return Object.freeze({ env, config, override, projectId: env.GOOGLE_CLOUD_PROJECT ?? config.project.id });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const field of Object.values(value)) deepFreeze(field);
    Object.freeze(value);
  }
  return value;
}

function readFile(path: string, reader: ConfigFileReader | undefined): string {
  if (!reader)
    throw new ConfigError([
      `env SHOTCLOCK_CONFIG_FILE: no file reader was given to readSettings (use the runtime's or the CLI's settings)`,
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
