/**
 * The phase timeline: `<transition.state_collection>/{date}` (phaseTransition,
 * the incumbent's layout): one field per processor `{completed_at, status,
 * record_count}`, `_triggered`, `_triggered_at`, `_trigger_reason`, `_mode`,
 * `_first_completion_at`, `_decision {kind, reason, mode, decided_at, quality}`.
 */
import type { PipelineConfig } from '../../../shared/config/schema.js';
import type { StateDocument } from '../../../shared/ports/state-store.port.js';
import type { StatusReadDependencies } from '../read-status.js';
import { attempt, COMPLETED, count, flag, record, text, texts } from './fields.js';

export interface ProcessorTimelineEntry {
  processor: string;
  required: boolean;
  critical: boolean;
  status: string | null;
  completed_at: string | null;
  record_count: number | null;
}

export interface TransitionTimeline {
  transition: string;
  from: string;
  to: string;
  label: string;
  rule: string;
  state_collection: string;
  /** false: no state document for the date */
  has_data: boolean;
  processors: ProcessorTimelineEntry[];
  completed: number;
  required: number;
  first_completion_at: string | null;
  triggered: boolean | null;
  triggered_at: string | null;
  trigger_reason: string | null;
  /** the transition's rule kind as phaseTransition records it (`_mode`) */
  mode: string | null;
  /** `fire` / `skip` / `expire` when the transition has decided */
  decision: string | null;
  /** which part of the rule fired it: `tier:60m:min_4`, `deadline:240m`, ... (`_decision.quality.rule`) */
  fired_by: string | null;
  /** fired with processors missing */
  degraded: boolean | null;
  missing: string[];
  missing_critical: string[];
  /** processor names the pipeline reported that the config does not know (`_unknown_processors`) */
  unknown_processors: string[];
}

export function transitionTimeline(
  config: PipelineConfig,
  transitionId: string,
  document: StateDocument | undefined,
): TransitionTimeline {
  const transition = config.transitions.find((candidate) => candidate.id === transitionId)!;
  const phase = config.phases.find((candidate) => candidate.id === transition.from);
  const doc = document ?? {};
  const processors = (phase?.processors ?? []).map((processor): ProcessorTimelineEntry => {
    const entry = record(doc[processor.name]);
    return {
      processor: processor.name,
      required: processor.required,
      critical: transition.critical.includes(processor.name),
      status: text(entry.status),
      completed_at: text(entry.completed_at),
      record_count: count(entry.record_count),
    };
  });
  const done = processors.filter((entry) => entry.required && COMPLETED.has(entry.status ?? ''));
  const firsts = processors.flatMap((entry) => entry.completed_at ?? []).sort();
  const decision = record(doc._decision);
  const quality = record(decision.quality);
  return {
    transition: transition.id,
    from: transition.from,
    to: transition.to,
    label: phase?.label ?? transition.from,
    rule: transition.rule.kind,
    state_collection: transition.state_collection,
    has_data: document !== undefined,
    processors,
    completed: done.length,
    required: processors.filter((entry) => entry.required).length,
    first_completion_at: text(doc._first_completion_at) ?? firsts[0] ?? null,
    triggered: flag(doc._triggered),
    triggered_at: text(doc._triggered_at),
    trigger_reason: text(doc._trigger_reason) ?? text(decision.reason),
    mode: text(doc._mode) ?? text(decision.mode),
    decision: text(decision.kind),
    fired_by: text(quality.rule),
    degraded: flag(quality.degraded),
    missing: texts(quality.missing),
    missing_critical: texts(quality.missing_critical),
    unknown_processors: unknownProcessors(doc._unknown_processors),
  };
}

export function readTransitions(
  deps: StatusReadDependencies,
  date: string,
  problems: string[],
): Promise<TransitionTimeline[]> {
  const { config } = deps;
  return Promise.all(
    config.transitions.map(async (transition) =>
      transitionTimeline(
        config,
        transition.id,
        await attempt(
          problems,
          `${transition.state_collection}/${date}`,
          () => deps.state.get(`${transition.state_collection}/${date}`),
          undefined,
        ),
      ),
    ),
  );
}

/** A list of names, of `{name}` entries, or a map keyed by name: whichever the writer chose. */
function unknownProcessors(value: unknown): string[] {
  if (Array.isArray(value))
    return value.flatMap(
      (item) => text(item) ?? text(record(item).name) ?? text(record(item).processor) ?? [],
    );
  return Object.keys(record(value)).sort();
}
