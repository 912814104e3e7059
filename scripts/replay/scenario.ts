import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { buildTopology } from '../../infra/topology.js';
import { warehouseTablesOf } from '../../shared/config/tables.js';
import { ConfigError, deepMerge, loadPipelineConfig } from '../../shared/config/load.js';
import type { PipelineConfig } from '../../shared/config/schema.js';
import { issueLines } from '../../shared/messages/pubsub-event.js';

/** A day to replay, in the format of DESIGN.md ("Local stack, replay and report"). */
const At = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time with offset' });
const Row = z.record(z.string(), z.unknown());

const Fault = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('publish-fails'), topic: z.string(), times: z.number().int().positive() }),
  z.object({ kind: z.literal('state-unavailable'), minutes: z.number().positive() }),
  z.object({ kind: z.literal('function-crashes'), function: z.string(), times: z.number().int().positive() }),
]);

const ScenarioEvent = z
  .object({
    at: At,
    publish: z
      .object({
        topic: z.string(),
        data: z.unknown(),
        attributes: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
    insert: z.object({ table: z.string(), rows: z.array(Row) }).optional(),
    fault: Fault.optional(),
    note: z.string().optional(),
  })
  .refine((event) => [event.publish, event.insert, event.fault].filter(Boolean).length === 1, {
    message: 'each event is exactly one of publish, insert, fault',
  });

export const Scenario = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  start: At,
  end: At,
  /** deep-merged over the default pipeline config */
  config: z.record(z.string(), z.unknown()).default({}),
  /** rows present when the replay starts */
  warehouse: z.record(z.string(), z.array(Row)).default({}),
  events: z.array(ScenarioEvent).default([]),
  /** the game date the status page snapshot shows (default: the date of `end`) */
  status_date: z.string().optional(),
});
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioEvent = z.infer<typeof ScenarioEvent>;

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`scenario ${source} is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export interface LoadedScenario {
  scenario: Scenario;
  config: PipelineConfig;
}

/**
 * Parses and checks a scenario before anything runs; every problem is listed with its path.
 * `pipeline`: the user's own config override (SHOTCLOCK_CONFIG, --config); the scenario's `config`
 * is merged over it.
 */
export function checkScenario(input: unknown, source = 'scenario', pipeline: unknown = {}): LoadedScenario {
  const parsed = Scenario.safeParse(input);
  if (!parsed.success) throw new ScenarioError(source, issueLines(parsed.error));
  const scenario = parsed.data;
  let config: PipelineConfig;
  try {
    config = loadPipelineConfig(deepMerge(pipeline, scenario.config));
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ScenarioError(
        source,
        error.problems.map((p) => `config.${p}`),
      );
    throw error;
  }
  const problems: string[] = [];
  const start = Date.parse(scenario.start);
  const end = Date.parse(scenario.end);
  if (end <= start) problems.push('end: must be after start');
  const topology = buildTopology(config);
  const tables = warehouseTablesOf(config);
  const topics = new Set(topology.topics);
  const functions = new Set(topology.functions.map((fn) => fn.name));
  for (const table of Object.keys(scenario.warehouse))
    if (!(table in tables)) problems.push(`warehouse.${table}: unknown table`);
  scenario.events.forEach((event, i) => {
    const at = Date.parse(event.at);
    if (at < start || at > end) problems.push(`events.${i}.at: ${event.at} is outside [start, end]`);
    if (event.publish && !topics.has(event.publish.topic))
      problems.push(`events.${i}.publish.topic: unknown topic ${event.publish.topic}`);
    if (event.insert && !(event.insert.table in tables))
      problems.push(`events.${i}.insert.table: unknown table ${event.insert.table}`);
    if (event.fault?.kind === 'publish-fails' && !topics.has(event.fault.topic))
      problems.push(`events.${i}.fault.topic: unknown topic ${event.fault.topic}`);
    if (event.fault?.kind === 'function-crashes' && !functions.has(event.fault.function))
      problems.push(
        `events.${i}.fault.function: unknown function ${event.fault.function} (known: ${[...functions].join(', ')})`,
      );
  });
  if (problems.length) throw new ScenarioError(source, problems);
  return { scenario, config };
}

export async function readScenario(path: string, pipeline: unknown = {}): Promise<LoadedScenario> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ScenarioError(path, [`not readable JSON: ${(error as Error).message}`]);
  }
  return checkScenario(json, path, pipeline);
}
