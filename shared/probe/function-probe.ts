import { DEFAULT_COLLECTIONS } from '../config/collections.js';
import type { HttpFunction } from '@google-cloud/functions-framework';
import { readRuntimeEnv } from '../config/env.js';
import type { Backends } from '../runtime/dependencies.js';
import { loadPipelineConfig } from '../config/load.js';
import type { PipelineConfig } from '../config/schema.js';
import { warehouseTablesOf } from '../config/tables.js';
import { resolveGameDate } from '../domain/calendar.js';
import type { BackendTouches, FunctionDescriptor, TouchesFor } from './function-descriptor.js';
import { tableDrift } from './table-drift.js';
import { overallStatus, type ProbeAnswer, type ProbeCheck, timedCheck } from './probe-answer.js';
import { PROBE_HEADER, type ProbeScope, probeScopeOf } from './probe-request.js';

export const PROBE_COLLECTION = DEFAULT_COLLECTIONS.probe;

export type ProbedBackends = Partial<
  Pick<Backends, 'state' | 'topology' | 'warehouse' | 'objects' | 'clock' | 'config'>
>;

/**
 * A function answering a probe, from inside the running instance: can it
 * build its dependencies, is its env there, do its lazy modules load, and
 * (scope `full`) does each backend it uses answer a harmless call.
 * `envSource` is for tests; in a function the env comes from `process.env`
 * through `readRuntimeEnv`.
 */
export async function answerProbe(
  functionName: string,
  dependencies: () => Promise<unknown>,
  scope: ProbeScope,
  descriptor: FunctionDescriptor | undefined,
  envSource?: Record<string, string | undefined>,
): Promise<ProbeAnswer> {
  const checks: ProbeCheck[] = [];
  let deps: ProbedBackends = {};
  checks.push(
    await timedCheck('dependencies', async () => {
      deps = ((await dependencies()) ?? {}) as ProbedBackends;
      return 'built';
    }),
  );
  for (const name of descriptor?.requiredEnv ?? [])
    checks.push(
      await timedCheck(`env:${name}`, async () => {
        const value = readRuntimeEnv(envSource)[name];
        if (value === undefined || value === '') throw new Error(`${name} is not set`);
        return 'present';
      }),
    );
  for (const specifier of descriptor?.lazyModules ?? [])
    checks.push(await timedCheck(`module:${specifier}`, () => loadModule(specifier)));
  if (scope === 'full' && descriptor?.touches) {
    const config = deps.config ?? loadPipelineConfig();
    checks.push(
      ...(await touchBackends(functionName, touchesNow(descriptor.touches, config, deps), config, deps)),
    );
  }
  return { function: functionName, status: overallStatus(checks), checks };
}

/** What the descriptor touches under the config the function runs with (the default when it built none). */
function touchesNow(touches: TouchesFor, config: PipelineConfig, deps: ProbedBackends): BackendTouches {
  const now = deps.clock?.now() ?? new Date();
  return touches(config, resolveGameDate('TODAY', now, config.project.time_zone));
}

/** A computed specifier, so esbuild leaves it for Node to resolve from the bundle's own node_modules. */
async function loadModule(specifier: string): Promise<string> {
  await import(/* @vite-ignore */ specifier);
  return 'loaded';
}

async function touchBackends(
  functionName: string,
  touches: BackendTouches,
  config: PipelineConfig,
  deps: ProbedBackends,
): Promise<ProbeCheck[]> {
  const checks: ProbeCheck[] = [];
  const missing = (what: string) => async () => ({
    status: 'red' as const,
    detail: `no ${what} backend built`,
  });
  if (touches.state) {
    const { state, clock } = deps;
    checks.push(
      await timedCheck(
        'state:read-write',
        state
          ? async () => {
              const path = `${PROBE_COLLECTION}/${functionName}`;
              const probedAt = (clock?.now() ?? new Date()).toISOString();
              await state.merge(path, { probed_at: probedAt });
              const back = await state.get(path);
              if (back?.probed_at !== probedAt) throw new Error(`wrote ${path} but read back something else`);
              return `wrote and read ${path}`;
            }
          : missing('state'),
      ),
    );
  }
  for (const topic of touches.topics ?? []) {
    const { topology } = deps;
    checks.push(
      await timedCheck(
        `topic:${topic}`,
        topology
          ? async () => {
              if (!(await topology.topicExists(topic))) throw new Error(`topic ${topic} does not exist`);
              return 'exists';
            }
          : missing('topology'),
      ),
    );
  }
  for (const query of touches.queries ?? []) {
    const { warehouse } = deps;
    checks.push(
      await timedCheck(
        `query:${query.name}`,
        warehouse
          ? async () => {
              await warehouse.dryRun(query.sql, query.params);
              return 'dry run ok';
            }
          : missing('warehouse'),
      ),
    );
  }
  const declarations = warehouseTablesOf(config);
  for (const table of touches.tables ?? []) {
    const { warehouse } = deps;
    checks.push(
      await timedCheck(
        `table:${table}`,
        warehouse?.columns
          ? async () => {
              const deployed = await warehouse.columns!(table);
              if (!deployed) throw new Error(`table ${table} does not exist`);
              const drift = tableDrift(table, deployed, declarations);
              if (drift.length > 0) throw new Error(drift.join('; '));
              return 'columns and types as declared';
            }
          : missing('warehouse'),
      ),
    );
  }
  for (const bucket of touches.buckets ?? []) {
    const { objects, clock } = deps;
    checks.push(
      await timedCheck(
        `bucket:${bucket}`,
        objects
          ? async () => {
              const path = `shotclock-probe/${functionName}.json`;
              const body = JSON.stringify({ probed_at: (clock?.now() ?? new Date()).toISOString() });
              await objects.put({ bucket, path, body, contentType: 'application/json' });
              return `wrote ${path}`;
            }
          : missing('object store'),
      ),
    );
  }
  return checks;
}

/** Wraps an HTTP function so a request with the probe header gets a `ProbeAnswer` instead. */
export function probeAwareHttp(
  descriptor: FunctionDescriptor,
  dependencies: () => Promise<unknown>,
  handler: HttpFunction,
): HttpFunction {
  return async (request, response) => {
    const scope = probeScopeOf(request.get(PROBE_HEADER));
    if (!scope) return handler(request, response);
    response.status(200).json(await answerProbe(descriptor.name, dependencies, scope, descriptor));
  };
}
