import { z } from 'zod';
import { issueLines } from '../messages/pubsub-event.js';
import { DEFAULT_PIPELINE } from './default-pipeline.js';
import { DEFAULT_COLLECTIONS } from './collections.js';
import { PipelineConfig } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** `source`: where the override came from (`SHOTCLOCK_CONFIG`, a file path), when known. */
  constructor(
    readonly problems: string[],
    readonly source?: string,
  ) {
    super(
      `invalid pipeline config${source ? ` (${source})` : ''}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  }

  /** The same problems on one line, for a terminal: `invalid pipeline config (x.json): a: …; b: …`. */
  oneLine(): string {
    return `invalid pipeline config${this.source ? ` (${this.source})` : ''}: ${this.problems.join('; ')}`;
  }
}

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys that would reach `Object.prototype` through an assignment; never part of a config. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Objects merge key by key; arrays and scalars in the override replace the default.
 * `__proto__` and friends (JSON.parse makes them own keys) are dropped, so an override
 * cannot swap the prototype of a merged object and slip in inherited fields.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlain(base) || !isPlain(override)) return override === undefined ? base : override;
  const merged: Plain = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (PROTOTYPE_KEYS.has(key)) continue;
    merged[key] = deepMerge(Object.hasOwn(base, key) ? base[key] : undefined, value);
  }
  return merged;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const field of Object.values(value)) deepFreeze(field);
    Object.freeze(value);
  }
  return value;
}

/** Problems a schema cannot see: references between parts of the config. */
function crossReferenceProblems(config: PipelineConfig): string[] {
  const problems: string[] = [];
  const phases = new Map(config.phases.map((phase) => [phase.id, phase]));
  config.phases.forEach((phase, p) => {
    const seen = new Set<string>();
    phase.processors.forEach((processor, i) => {
      if (seen.has(processor.name))
        problems.push(`phases.${p}.processors.${i}.name: ${processor.name} appears twice in ${phase.id}`);
      seen.add(processor.name);
    });
    const owner = new Map<string, string>();
    phase.processors.forEach((processor, i) => {
      processor.incumbent_names.forEach((name, n) => {
        const claimed = owner.get(name);
        if (claimed !== undefined && claimed !== processor.name)
          problems.push(
            `phases.${p}.processors.${i}.incumbent_names.${n}: ${name} already names ${claimed} in ${phase.id}`,
          );
        owner.set(name, processor.name);
      });
    });
  });
  config.transitions.forEach((transition, t) => {
    const at = `transitions.${t}`;
    const from = phases.get(transition.from);
    if (!from) {
      problems.push(`${at}.from: no phase named ${transition.from}`);
      return;
    }
    const names = new Set(from.processors.map((processor) => processor.name));
    transition.critical.forEach((name, i) => {
      if (!names.has(name)) problems.push(`${at}.critical.${i}: ${name} is not a processor of ${from.id}`);
    });
    for (const [mode, expectation] of Object.entries(transition.modes ?? {})) {
      if (!expectation) continue;
      for (const list of ['expected', 'critical'] as const)
        expectation[list].forEach((name, i) => {
          if (!names.has(name))
            problems.push(`${at}.modes.${mode}.${list}.${i}: ${name} is not a processor of ${from.id}`);
        });
      expectation.critical.forEach((name, i) => {
        if (!expectation.expected.includes(name))
          problems.push(`${at}.modes.${mode}.critical.${i}: ${name} is critical but not expected in ${mode}`);
      });
    }
    const { rule } = transition;
    if (rule.kind === 'quorum' && rule.fraction === undefined)
      problems.push(`${at}.rule.fraction: a quorum needs a threshold (fraction of processors, 0-1)`);
    if (rule.kind === 'tiered') {
      rule.tiers.forEach((tier, i) => {
        if (tier.min_completed === undefined && !tier.critical_only)
          problems.push(`${at}.rule.tiers.${i}: give min_completed or critical_only`);
        if (tier.min_completed !== undefined && tier.min_completed > from.processors.length)
          problems.push(
            `${at}.rule.tiers.${i}.min_completed: ${tier.min_completed} is more than the ${from.processors.length} processors of ${from.id}`,
          );
        const previous = rule.tiers[i - 1];
        if (previous && tier.after_minutes <= previous.after_minutes)
          problems.push(`${at}.rule.tiers.${i}.after_minutes: tiers must be in increasing order`);
      });
    }
    if ((rule.kind === 'critical_only' || rule.kind === 'quorum') && transition.critical.length === 0)
      problems.push(`${at}.critical: a ${rule.kind} rule needs at least one critical processor`);
    if (rule.kind !== 'watch' && !transition.output)
      problems.push(`${at}.output: a ${rule.kind} transition needs an output topic`);
  });
  config.record_count.phases.forEach((id, i) => {
    if (!phases.has(id)) problems.push(`record_count.phases.${i}: no phase named ${id}`);
  });
  problems.push(
    ...duplicates(
      config.schedules.map((job) => job.id),
      'schedules',
      'id',
    ),
  );
  problems.push(
    ...duplicates(
      config.phases.map((phase) => phase.id),
      'phases',
      'id',
    ),
  );
  problems.push(
    ...duplicates(
      config.transitions.map((transition) => transition.id),
      'transitions',
      'id',
    ),
  );
  config.transitions.forEach((transition, t) => {
    problems.push(...duplicates(transition.critical, `transitions.${t}.critical`));
  });
  problems.push(...collectionClashes(config));
  const { min_backoff_seconds: min, max_backoff_seconds: max } = config.delivery;
  if (min > max)
    problems.push(`delivery.min_backoff_seconds: ${min} is more than max_backoff_seconds (${max})`);
  return problems;
}

/**
 * Two kinds of state in one collection would read each other's documents. shotclock's code names
 * its collections by their default names (the state store maps them to `collections`), so a
 * transition's `state_collection` may not take one of those either.
 */
function collectionClashes(config: PipelineConfig): string[] {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  const claim = (name: string, at: string) => {
    const first = owner.get(name);
    if (first) problems.push(`${at}: ${name} is already the collection of ${first}`);
    else owner.set(name, at);
  };
  for (const [role, name] of Object.entries(config.collections)) claim(name, `collections.${role}`);
  // A renamed collection's default name stays taken: the code still addresses its documents by it.
  for (const [role, name] of Object.entries(DEFAULT_COLLECTIONS))
    if (!owner.has(name)) owner.set(name, `shotclock's ${role} state (its default name)`);
  // Transitions may share a state collection with each other, not with anything else.
  const stateCollections = new Map<string, number>();
  config.transitions.forEach((transition, t) => {
    if (!stateCollections.has(transition.state_collection))
      stateCollections.set(transition.state_collection, t);
  });
  for (const [name, t] of stateCollections) claim(name, `transitions.${t}.state_collection`);
  return problems;
}

/** `<at>.<i>[.<field>]: <value> appears twice` for every repeat after the first. */
function duplicates(values: readonly string[], at: string, field?: string): string[] {
  const seen = new Set<string>();
  return values.flatMap((value, i) => {
    const repeated = seen.has(value);
    seen.add(value);
    return repeated ? [`${at}.${i}${field ? `.${field}` : ''}: ${value} appears twice`] : [];
  });
}

/**
 * The pipeline definition: the default NBA pipeline deep-merged with
 * `override`, validated, frozen. Every problem is listed by path at once.
 */
export function loadPipelineConfig(override: unknown = {}): PipelineConfig {
  const merged = deepMerge(DEFAULT_PIPELINE, override);
  const parsed = PipelineConfig.safeParse(merged);
  if (!parsed.success) throw new ConfigError(configIssueLines(parsed.error, merged));
  const problems = crossReferenceProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(parsed.data);
}

/**
 * Issue lines by path; an unknown key (a typo such as `alertz` or `cooldown_minuts`) is named with
 * its full path and, when one is close, the key that was probably meant.
 */
function configIssueLines(error: z.ZodError, merged: unknown): string[] {
  const unknown = error.issues.filter((issue) => issue.code === 'unrecognized_keys');
  const rest = error.issues.filter((issue) => issue.code !== 'unrecognized_keys');
  const lines = unknown.flatMap((issue) => {
    const siblings = Object.keys(valueAt(merged, issue.path) ?? {}).filter(
      (key) => !issue.keys.includes(key),
    );
    return issue.keys.map((key) => {
      const near = siblings.find((known) => editDistance(known, key) <= 2);
      return `${[...issue.path, key].join('.')}: unknown key${near ? ` (did you mean ${near}?)` : ''}`;
    });
  });
  return [...lines, ...(rest.length ? issueLines(new z.ZodError(rest)) : [])];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): Plain | undefined {
  let value = root;
  for (const key of path)
    value = isPlain(value) || Array.isArray(value) ? (value as Plain)[key as string] : undefined;
  return isPlain(value) ? value : undefined;
}

/** Levenshtein distance, enough to suggest a key that is one or two typos away. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}
