import type { ModeExpectation, Processor, Transition } from '../config/schema.js';
import type { AlertRule, AlertSeverity } from '../messages/alert.js';
import { COMPLETED_STATUSES, type CompletionStatus } from '../messages/completion.js';
import type { TransitionQuality } from '../messages/phase4-trigger.js';
import { addMinutes, isPlausibleGameDate, minutesBetween } from './calendar.js';

/**
 * When a phase transition fires, as a pure function of what has completed for
 * a date and what time it is. Everything time-based is counted from the
 * date's first completion, so the same facts give the same answer whether a
 * completion message or the scheduler tick asks.
 */

/** One processor's latest word for the date (any status; only success/partial count). */
export interface ProcessorReport {
  name: string;
  status: CompletionStatus;
  /** ISO 8601 */
  completed_at: string;
}

export interface TransitionFacts {
  transition: Transition;
  gameDate: string;
  /** the processors of the transition's `from` phase; any other name never counts */
  processors: readonly Pick<Processor, 'name' | 'required'>[];
  reports: readonly ProcessorReport[];
  /** ISO 8601; defaults to the earliest counted report */
  firstCompletionAt?: string | undefined;
  now: Date;
  /** from the schedule table: a date with no games is skipped, never alerted on */
  hasGames: boolean;
  /** `config.alerts.thresholds.phase_completion_below` */
  completionBelow: number;
  /**
   * What the date's orchestration mode expects (see `orchestration-mode.ts`);
   * without it, the phase's required processors and the transition's critical ones.
   */
  expectation?: ModeExpectation | undefined;
  /** the orchestration mode, reported as the decision's `mode` (default: the rule's kind) */
  mode?: string | undefined;
  /**
   * ISO 8601: when the current mode began for the date. Time is then counted
   * from the first counted completion since then (the game summaries that
   * arrive the morning after start their own clock), and `firstCompletionAt`
   * is not used.
   */
  modeStartsAt?: string | undefined;
}

/** An alert the caller should raise once (it keys it with `alertKey(rule, subject, date)`). */
export interface PlannedAlert {
  rule: Extract<AlertRule, 'critical_processor_missing' | 'processor_missing' | 'phase_completion_low'>;
  severity: AlertSeverity;
  subject: string;
  message: string;
  details: Record<string, unknown>;
}

interface DecisionBase {
  /** the orchestration mode (`overnight`, `same_day`, `tomorrow`) when given, else the rule's kind */
  mode: string;
  quality: TransitionQuality;
  /** alerts whose condition holds now (independent of whether the date already fired) */
  alerts: PlannedAlert[];
  /**
   * After this instant nothing about the date can change by time alone: once
   * it has passed and the date is decided, the tick can stop looking at it.
   */
  review_until: string | undefined;
}

export type TransitionDecision =
  | (DecisionBase & { kind: 'wait'; reason: string; next_check_at: string | undefined })
  | (DecisionBase & { kind: 'fire'; trigger_reason: string })
  | (DecisionBase & { kind: 'skip'; reason: 'no_games_scheduled' })
  /** `watch` rules never fire; they only alert */
  | (DecisionBase & { kind: 'watch' })
  /** never fired within `EXPIRE_AFTER_MINUTES` of the first completion: stop watching */
  | (DecisionBase & { kind: 'expire'; reason: string });

const MET_REASON: Record<Transition['rule']['kind'], string> = {
  watch: 'watch',
  all_complete: 'all_complete',
  critical_only: 'critical_complete',
  quorum: 'quorum_reached',
  tiered: 'tier_reached',
};

/** An undecided date stops being re-evaluated this long after its first completion. */
export const EXPIRE_AFTER_MINUTES = 24 * 60;

/** Completion messages for dates further than this from today (either way) are refused as implausible. */
export const MAX_DAYS_AWAY = 30;

/** Why a game date is implausible for a completion received at `now`, or undefined when it is fine. */
export function implausibleGameDate(gameDate: string, now: Date): string | undefined {
  if (isPlausibleGameDate(gameDate, now, MAX_DAYS_AWAY)) return undefined;
  return `game_date ${gameDate} is more than ${MAX_DAYS_AWAY} days from ${now.toISOString().slice(0, 10)}`;
}

const latest = (times: string[]): string | undefined => [...times].sort().at(-1);
const earliest = (times: string[]): string | undefined => [...times].sort()[0];

/** Minutes after the first completion at which missing processors are alerted on. */
export function alertHorizonMinutes(transition: Transition): number | undefined {
  const { rule } = transition;
  if (rule.kind === 'watch') return transition.alert_after_minutes;
  if (transition.deadline_minutes !== undefined) return transition.deadline_minutes;
  if (rule.kind === 'tiered') return rule.tiers[rule.tiers.length - 1]!.after_minutes;
  return transition.alert_after_minutes;
}

interface Tally {
  names: string[];
  critical: string[];
  expected: string[];
  doneAt: Map<string, string>;
  completed: string[];
  missing: string[];
  missingCritical: string[];
}

function tally(facts: TransitionFacts): Tally {
  const names = facts.processors.map((processor) => processor.name);
  const known = new Set(names);
  const doneAt = new Map<string, string>();
  for (const report of facts.reports) {
    if (!known.has(report.name) || !COMPLETED_STATUSES.has(report.status)) continue;
    const previous = doneAt.get(report.name);
    if (previous === undefined || report.completed_at < previous)
      doneAt.set(report.name, report.completed_at);
  }
  const required = facts.processors.filter((processor) => processor.required !== false).map((p) => p.name);
  const expected = facts.expectation
    ? facts.expectation.expected.filter((name) => known.has(name))
    : required.length > 0
      ? required
      : names;
  const critical = facts.expectation ? facts.expectation.critical : facts.transition.critical;
  return {
    names,
    critical,
    expected,
    doneAt,
    completed: names.filter((name) => doneAt.has(name)),
    missing: expected.filter((name) => !doneAt.has(name)),
    missingCritical: critical.filter((name) => !doneAt.has(name)),
  };
}

/** When the rule's condition first held (ISO), or undefined while it does not. */
function conditionMetAt(
  facts: TransitionFacts,
  t: Tally,
  elapsed: number,
  first: string,
): { at: string; label: string } | undefined {
  const { transition } = facts;
  const { rule } = transition;
  const criticalAt = latest(t.critical.map((name) => t.doneAt.get(name) ?? ''));
  const criticalIn = t.missingCritical.length === 0;
  /** time at which `count` of the expected processors were in */
  const countReachedAt = (count: number): string | undefined => {
    const times = t.expected
      .map((name) => t.doneAt.get(name))
      .filter((time): time is string => time !== undefined)
      .sort();
    return count <= 0 ? first : times[count - 1];
  };
  switch (rule.kind) {
    case 'watch':
      return undefined;
    case 'all_complete':
      return t.missing.length === 0
        ? { at: latest(t.expected.map((name) => t.doneAt.get(name)!)) ?? first, label: 'all_complete' }
        : undefined;
    case 'critical_only':
      return criticalIn ? { at: criticalAt ?? first, label: 'critical_only' } : undefined;
    case 'quorum': {
      const needed = Math.ceil((rule.fraction ?? 1) * t.expected.length);
      const reached = countReachedAt(needed);
      if (!criticalIn || reached === undefined) return undefined;
      return { at: latest([reached, criticalAt ?? first])!, label: `quorum:${needed}/${t.expected.length}` };
    }
    case 'tiered': {
      if (!criticalIn) return undefined;
      for (const tier of rule.tiers) {
        if (elapsed < tier.after_minutes) continue;
        const enough = tier.critical_only || t.completed.length >= (tier.min_completed ?? 0);
        if (!enough) continue;
        const dueAt = addMinutes(first, tier.after_minutes).toISOString();
        const reached = tier.critical_only ? criticalAt : countReachedAt(tier.min_completed ?? 0);
        return {
          at: latest([dueAt, reached ?? first, criticalAt ?? first])!,
          label: `tier:${tier.after_minutes}m:${tier.critical_only ? 'critical_only' : `min_${tier.min_completed}`}`,
        };
      }
      return undefined;
    }
  }
}

function plannedAlerts(facts: TransitionFacts, t: Tally, elapsed: number): PlannedAlert[] {
  const { transition, gameDate } = facts;
  const horizon = alertHorizonMinutes(transition);
  if (horizon === undefined || elapsed < horizon) return [];
  const alerts: PlannedAlert[] = [];
  const after = `${Math.round(elapsed)} minutes after the first completion${facts.mode ? ` (${facts.mode})` : ''}`;
  if (transition.rule.kind === 'watch') {
    for (const name of t.missing)
      alerts.push({
        rule: 'processor_missing',
        severity: 'WARNING',
        subject: name,
        message: `${name} has not completed for ${gameDate} ${after} (${transition.from} -> ${transition.to})`,
        details: { transition: transition.id, processor: name, elapsed_minutes: Math.round(elapsed) },
      });
  }
  for (const name of t.missingCritical)
    alerts.push({
      rule: 'critical_processor_missing',
      severity: 'CRITICAL',
      subject: name,
      message: `critical processor ${name} has not completed for ${gameDate} ${after} (${transition.from} -> ${transition.to})`,
      details: { transition: transition.id, processor: name, elapsed_minutes: Math.round(elapsed) },
    });
  const fraction = t.expected.length === 0 ? 1 : (t.expected.length - t.missing.length) / t.expected.length;
  if (fraction < facts.completionBelow)
    alerts.push({
      rule: 'phase_completion_low',
      severity: 'ERROR',
      subject: transition.from,
      message:
        `${transition.from} is ${Math.round(fraction * 100)}% complete for ${gameDate} ${after}` +
        ` (below ${Math.round(facts.completionBelow * 100)}%); missing: ${t.missing.join(', ')}`,
      details: {
        transition: transition.id,
        completed: t.completed,
        missing: t.missing,
        fraction,
        threshold: facts.completionBelow,
      },
    });
  return alerts;
}

/**
 * The decision for one (transition, date):
 * - no games on the date: `skip`;
 * - `watch`: alerts only, once `alert_after_minutes` have passed;
 * - the rule's condition holds and every expected processor is in: `fire`;
 * - it holds but some are missing: wait out `grace_minutes` from the moment it
 *   held, then `fire` degraded;
 * - it does not hold at `deadline_minutes`: `fire` degraded with what is in;
 * - otherwise `wait` (until `EXPIRE_AFTER_MINUTES`, then `expire`).
 */
export function decideTransition(facts: TransitionFacts): TransitionDecision {
  const { transition, now } = facts;
  const t = tally(facts);
  const mode = facts.mode ?? transition.rule.kind;
  const ruleKind = transition.rule.kind;
  const quality = (degradedRule: string): TransitionQuality => ({
    degraded: t.missing.length > 0 || t.missingCritical.length > 0,
    completed: t.completed,
    missing: t.missing,
    missing_critical: t.missingCritical,
    rule: degradedRule,
  });
  const counted = [...t.doneAt.values()];
  const modeStart = facts.modeStartsAt === undefined ? undefined : Date.parse(facts.modeStartsAt);
  const first =
    modeStart === undefined
      ? (facts.firstCompletionAt ?? earliest(counted))
      : earliest(counted.filter((at) => Date.parse(at) >= modeStart));
  const horizon = alertHorizonMinutes(transition);
  const base = (rule: string) => ({
    mode,
    quality: quality(rule),
    alerts: [] as PlannedAlert[],
    review_until: first && horizon !== undefined ? addMinutes(first, horizon).toISOString() : undefined,
  });
  if (!facts.hasGames)
    return { ...base(ruleKind), review_until: undefined, kind: 'skip', reason: 'no_games_scheduled' };
  if (first === undefined)
    return { ...base(ruleKind), kind: 'wait', reason: 'no_completions_yet', next_check_at: undefined };

  const elapsed = minutesBetween(first, now);
  const alerts = plannedAlerts(facts, t, elapsed);
  if (transition.rule.kind === 'watch') return { ...base('watch'), alerts, kind: 'watch' };

  const met = conditionMetAt(facts, t, elapsed, first);
  if (met) {
    if (t.missing.length === 0)
      return { ...base(met.label), alerts, kind: 'fire', trigger_reason: 'all_complete' };
    const grace = transition.grace_minutes ?? 0;
    const graceEnds = addMinutes(met.at, grace);
    if (grace > 0 && now < graceEnds)
      return {
        ...base(met.label),
        alerts,
        kind: 'wait',
        reason: 'grace_period',
        next_check_at: graceEnds.toISOString(),
      };
    return {
      ...base(met.label),
      alerts,
      kind: 'fire',
      trigger_reason: grace > 0 ? 'grace_period_expired' : MET_REASON[ruleKind],
    };
  }

  if (transition.deadline_minutes !== undefined && elapsed >= transition.deadline_minutes)
    return {
      ...base(`deadline:${transition.deadline_minutes}m`),
      alerts,
      kind: 'fire',
      trigger_reason: 'deadline_reached',
    };
  if (elapsed >= EXPIRE_AFTER_MINUTES)
    return {
      ...base(ruleKind),
      alerts,
      kind: 'expire',
      reason: `not fired ${EXPIRE_AFTER_MINUTES} minutes after the first completion`,
    };
  return {
    ...base(ruleKind),
    alerts,
    kind: 'wait',
    reason: waitReason(t),
    next_check_at: nextCheck(transition, first, elapsed),
  };
}

function waitReason(t: Tally): string {
  if (t.missingCritical.length > 0) return `waiting_for_critical:${t.missingCritical.join(',')}`;
  return `waiting_for:${t.missing.join(',')}`;
}

/** The next instant at which time alone could change the answer. */
function nextCheck(transition: Transition, first: string, elapsed: number): string | undefined {
  const marks: number[] = [];
  if (transition.deadline_minutes !== undefined) marks.push(transition.deadline_minutes);
  if (transition.rule.kind === 'tiered')
    marks.push(...transition.rule.tiers.map((tier) => tier.after_minutes));
  const horizon = alertHorizonMinutes(transition);
  if (horizon !== undefined) marks.push(horizon);
  marks.push(EXPIRE_AFTER_MINUTES);
  const next = marks.filter((mark) => mark > elapsed).sort((a, b) => a - b)[0];
  return next === undefined ? undefined : addMinutes(first, next).toISOString();
}
