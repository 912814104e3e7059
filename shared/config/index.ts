export { DEFAULT_PIPELINE } from './default-pipeline.js';
export {
  type ConfigFileReader,
  readRuntimeEnv,
  readSettings,
  type RuntimeEnv,
  type Settings,
} from './env.js';
export { ConfigError, deepMerge, loadPipelineConfig } from './load.js';
export * from './schema.js';
