import type { Phase, PipelineConfig, Processor } from '../../shared/config/schema.js';
import type { RandomSource } from '../../shared/domain/record-count.js';
import type { Backends } from '../../shared/runtime/dependencies.js';

/** What `recordCountCheck` runs on; `random` drives the retry jitter (Math.random in production). */
export type RecordCountCheckDeps = Pick<
  Backends,
  'config' | 'projectId' | 'clock' | 'logger' | 'state' | 'bus' | 'warehouse' | 'alerts' | 'http'
> & { random?: RandomSource };

export type CheckedProcessor = Processor & {
  table: string;
  expected: NonNullable<Processor['expected']>;
};

/** The phases whose completions are checked (`record_count.phases`). */
export function watchedPhases(config: PipelineConfig): Phase[] {
  return config.phases.filter((phase) => config.record_count.phases.includes(phase.id));
}

/** A processor with a table and an expected-count rule is one the checker can judge. */
export function isChecked(processor: Processor): processor is CheckedProcessor {
  return processor.table !== undefined && processor.expected !== undefined;
}

export function findProcessor(
  config: PipelineConfig,
  name: string,
): { phase: Phase; processor: Processor } | undefined {
  for (const phase of watchedPhases(config)) {
    const processor = phase.processors.find((candidate) => candidate.name === name);
    if (processor) return { phase, processor };
  }
  return undefined;
}
