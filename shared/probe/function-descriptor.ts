import type { RuntimeEnv } from '../config/env.js';
import type { PipelineConfig } from '../config/schema.js';
import type { SqlParameter } from '../ports/warehouse.port.js';

/**
 * What a function declares about itself in `functions/<name>/descriptor.ts`
 * (`export const descriptor: FunctionDescriptor`). Plain data: the bundle
 * test, the dependency probe and the local stack read it without loading the
 * function, and the function hands it to `pubsubEventHandler` (or
 * `probeAwareHttp`) so it can answer probes.
 */
export interface FunctionDescriptor {
  /** the folder name under `functions/` */
  name: string;
  /** functions-framework targets the bundle registers; default: one target named like the folder */
  targets?: FunctionTarget[];
  /** env the bundle is started with when tested alone (placeholders, never real secrets) */
  testEnv?: Record<string, string>;
  /** env that must be present at run time (checked without revealing values) */
  requiredEnv?: Array<keyof RuntimeEnv>;
  /**
   * Packages loaded only on some paths (a dynamic `import()`), loaded up front
   * by every probe. Literal `import('x')` calls are also found in the esbuild
   * metafile; list here the ones esbuild cannot see.
   */
  lazyModules?: string[];
  /**
   * backends a full probe touches with a harmless call: from the config the function loaded (its
   * topics, tables, collections) and `today` in the pipeline's time zone (the queries' parameters)
   */
  touches?: TouchesFor;
}

export type TouchesFor = (config: PipelineConfig, today: string) => BackendTouches;

export interface FunctionTarget {
  target: string;
  signature: 'http' | 'cloudevent';
}

export interface BackendTouches {
  /** read and write `shotclock_probe/<function>` */
  state?: boolean;
  /** topics looked up (the ones the function publishes to) */
  topics?: string[];
  /** the function's real queries, validated by a dry run */
  queries?: Array<{ name: string; sql: string; params?: Record<string, SqlParameter> }>;
  /**
   * warehouse tables read or written, each compared with its declaration in
   * `shared/config/tables.ts`: a missing column or a changed type is red
   */
  tables?: string[];
  /** buckets written to (`shotclock-probe/<function>.json`) */
  buckets?: string[];
}

export function targetsOf(descriptor: FunctionDescriptor): FunctionTarget[] {
  return descriptor.targets ?? [{ target: descriptor.name, signature: 'http' }];
}
