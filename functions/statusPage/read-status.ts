/**
 * Everything the status page reads, in one place. The collections belong to
 * other functions and their layouts may grow, so every field is read
 * defensively: a missing or malformed field becomes `null` ("no data"), never
 * an error. Layouts read (see each writer for the full description):
 * - `<transition.state_collection>/{date}` (phaseTransition, the incumbent's
 *   layout): one field per processor `{completed_at, status, record_count}`,
 *   `_triggered`, `_triggered_at`, `_trigger_reason`, `_mode`,
 *   `_first_completion_at`, `_decision {kind, reason, mode, decided_at}`;
 * - `freshness_gate/{date}` (freshnessGate): `status`, `reasons[]`,
 *   `evaluated_at`, `cutoff_at`, `checks[]`, `history[]`, `opened`,
 *   `_triggered`, `override`;
 * - `record_count_checks/{processor}__{date}` (recordCountCheck): `status`,
 *   `degraded`, `expected.rows`, `last_check.observed`, `retry {state,
 *   attempts_sent, max_attempts, next_due_at, end_reason}`;
 * - `<grading.bucket>/<grading.path_prefix>/{date}.json` (liveGradingExport):
 *   `updated_at`, `overall`, `systems[]`;
 * - `shotclock_alerts`, `shotclock_alert_deliveries` (the alert sink).
 */
import {
  ALERT_DELIVERIES_COLLECTION,
  ALERTS_COLLECTION,
  type AlertDelivery,
  type AlertRecord,
} from '../../shared/adapters/dedup.alert-sink.js';
import type { PipelineConfig } from '../../shared/config/schema.js';
import { wilsonInterval } from '../../shared/domain/alert-rules.js';
import { addDays } from '../../shared/domain/calendar.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import type { ObjectStore } from '../../shared/ports/object-store.port.js';
import { instantText, type StateDocument, type StateStore } from '../../shared/ports/state-store.port.js';

export interface StatusReadDependencies {
  config: PipelineConfig;
  clock: Clock;
  state: StateStore;
  objects: ObjectStore;
}

export const SUCCESS_RATE_DAYS = 14;
const GATE_COLLECTION = 'freshness_gate';
const RETRY_COLLECTION = 'record_count_checks';
const COMPLETED = new Set(['success', 'partial']);

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
}

export interface GateCheckView {
  table: string;
  level: string | null;
  findings: string[];
  rows: number | null;
  expected_rows: number | null;
  newest_processed_at: string | null;
  age_hours: number | null;
}

export interface GateView {
  status: string | null;
  reasons: string[];
  evaluated_at: string | null;
  cutoff_at: string | null;
  opened_at: string | null;
  triggered: boolean | null;
  override_by: string | null;
  checks: GateCheckView[];
  history: Array<{ at: string; status: string; source: string | null }>;
}

export interface RetryView {
  processor: string;
  status: string | null;
  degraded: boolean;
  expected: number | null;
  observed: number | null;
  attempts_sent: number | null;
  max_attempts: number | null;
  next_due_at: string | null;
  end_reason: string | null;
}

export interface GradingSystemView {
  system: string;
  is_production: boolean;
  graded: number | null;
  correct: number | null;
  accuracy: number | null;
  interval_low: number | null;
  interval_high: number | null;
  baseline: number | null;
  verdict: string | null;
  verdict_reason: string | null;
}

export interface GradingView {
  updated_at: string | null;
  overall: string | null;
  systems: GradingSystemView[];
}

export interface DaySnapshot {
  date: string;
  transitions: TransitionTimeline[];
  gate: GateView | null;
  retries: RetryView[];
  grading: GradingView | null;
}

export interface SuccessRate {
  phase: string;
  processor: string;
  /** days the processor completed, of the days its phase has a state document */
  completed_days: number;
  observed_days: number;
  /** null: no observed day ("no data") */
  rate: number | null;
}

export interface OpenAlertView {
  key: string;
  rule: string;
  severity: string;
  status: string;
  subject: string;
  game_date: string | null;
  message: string;
  first_raised_at: string | null;
  last_raised_at: string | null;
  raise_count: number;
}

export interface PendingDeliveryView {
  id: string;
  alert_key: string;
  channel: string;
  notice: string;
  attempts: number;
  created_at: string | null;
  last_error: string | null;
}

export interface StatusSnapshot {
  generated_at: string;
  pipeline: string;
  time_zone: string;
  date: string;
  /** the date first, then the days before it */
  days: DaySnapshot[];
  success_rates: SuccessRate[];
  success_rate_window: { from: string; to: string };
  open_alerts: OpenAlertView[];
  pending_deliveries: PendingDeliveryView[];
  /** what could not be read, in words (a backend error shows here, not as a crash) */
  problems: string[];
}

// --- defensive field readers ------------------------------------------------

/** A string field, or a stored instant (a Timestamp read back as a `Date`) as ISO text. */
const text = (value: unknown): string | null => {
  const written = instantText(value);
  return written !== undefined && written !== '' ? written : null;
};
const count = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const flag = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const texts = (value: unknown): string[] => list(value).flatMap((item) => text(item) ?? []);

// --- phase timeline ---------------------------------------------------------

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
  };
}

// --- gate, retries, grading -------------------------------------------------

export function gateView(document: StateDocument | undefined): GateView | null {
  if (!document) return null;
  const opened = record(document.opened);
  return {
    status: text(document.status),
    reasons: texts(document.reasons),
    evaluated_at: text(document.evaluated_at),
    cutoff_at: text(document.cutoff_at),
    opened_at: text(opened.at),
    triggered: flag(document._triggered),
    override_by: text(record(document.override).recorded_by),
    checks: list(document.checks).map((item) => {
      const check = record(item);
      return {
        table: text(check.table) ?? '(unnamed table)',
        level: text(check.level),
        findings: list(check.findings).flatMap((finding) => text(record(finding).reason) ?? []),
        rows: count(check.rows),
        expected_rows: count(check.expected_rows),
        newest_processed_at: text(check.newest_processed_at),
        age_hours: count(check.age_hours),
      };
    }),
    history: list(document.history).flatMap((item) => {
      const entry = record(item);
      const at = text(entry.at);
      const status = text(entry.status);
      return at && status ? [{ at, status, source: text(entry.source) }] : [];
    }),
  };
}

export function retryView(document: StateDocument): RetryView {
  const retry = record(document.retry);
  return {
    processor: text(document.processor) ?? '(unknown processor)',
    status: text(document.status),
    degraded: document.degraded === true,
    expected: count(record(document.expected).rows),
    observed: count(record(document.last_check).observed),
    attempts_sent: count(retry.attempts_sent),
    max_attempts: count(retry.max_attempts),
    next_due_at: text(retry.next_due_at),
    end_reason: text(retry.end_reason),
  };
}

export function gradingView(body: string | undefined): GradingView | null {
  if (body === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { updated_at: null, overall: 'the grading export is not valid JSON', systems: [] };
  }
  const exported = record(parsed);
  return {
    updated_at: text(exported.updated_at),
    overall: text(exported.overall),
    systems: list(exported.systems).flatMap((item) => {
      const system = record(item);
      const id = text(system.system_id);
      if (!id) return [];
      const correct = count(system.correct);
      const incorrect = count(system.incorrect);
      const decided = correct !== null && incorrect !== null ? correct + incorrect : null;
      const interval = record(system.accuracy_interval);
      // An export without the interval still gets bars: the same Wilson interval, computed here.
      const computed = correct !== null && decided ? wilsonInterval(correct, decided) : undefined;
      return [
        {
          system: id,
          is_production: system.is_production === true,
          graded: decided,
          correct,
          accuracy: count(system.accuracy) ?? (correct !== null && decided ? correct / decided : null),
          interval_low: count(interval.low) ?? computed?.low ?? null,
          interval_high: count(interval.high) ?? computed?.high ?? null,
          baseline: count(record(system.baseline).accuracy),
          verdict: text(system.verdict),
          verdict_reason: text(system.verdict_reason),
        },
      ];
    }),
  };
}

// --- alerts -----------------------------------------------------------------

function openAlertView(document: StateDocument): OpenAlertView {
  const alert = document as Partial<AlertRecord>;
  return {
    key: text(alert.key) ?? '(no key)',
    rule: text(alert.rule) ?? '(no rule)',
    severity: text(alert.severity) ?? 'ERROR',
    status: text(alert.status) ?? 'open',
    subject: text(alert.subject) ?? '',
    game_date: text(alert.game_date),
    message: text(alert.message) ?? '',
    first_raised_at: text(alert.first_raised_at),
    last_raised_at: text(alert.last_raised_at),
    raise_count: count(alert.raise_count) ?? 1,
  };
}

function pendingDeliveryView(id: string, document: StateDocument): PendingDeliveryView {
  const delivery = document as Partial<AlertDelivery>;
  return {
    id,
    alert_key: text(delivery.alert_key) ?? '(no key)',
    channel: text(delivery.channel) ?? '(no channel)',
    notice: text(record(delivery.notice).kind) ?? 'raised',
    attempts: count(delivery.attempts) ?? 0,
    created_at: text(delivery.created_at),
    last_error: text(delivery.last_error),
  };
}

const SEVERITY_ORDER: Record<string, number> = { CRITICAL: 0, ERROR: 1, WARNING: 2, INFO: 3 };

// --- the snapshot -------------------------------------------------------------

async function attempt<T>(problems: string[], what: string, read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    problems.push(`${what}: ${(error as Error).message}`);
    return fallback;
  }
}

async function readDay(deps: StatusReadDependencies, date: string, problems: string[]): Promise<DaySnapshot> {
  const { config } = deps;
  const transitions = await Promise.all(
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
  const gate = gateView(
    await attempt(
      problems,
      `${GATE_COLLECTION}/${date}`,
      () => deps.state.get(`${GATE_COLLECTION}/${date}`),
      undefined,
    ),
  );
  const retries = (
    await attempt(
      problems,
      `${RETRY_COLLECTION} for ${date}`,
      () => deps.state.list(RETRY_COLLECTION, [{ field: 'game_date', op: '==', value: date }]),
      [],
    )
  )
    .map((document) => retryView(document.data))
    .sort((a, b) => a.processor.localeCompare(b.processor));
  const exportPath = `${config.grading.path_prefix}/${date}.json`;
  const exported = await attempt(
    problems,
    `grading export ${exportPath}`,
    () => deps.objects.get(config.grading.bucket, exportPath),
    undefined,
  );
  return { date, transitions, gate, retries, grading: gradingView(exported?.body) };
}

async function successRates(
  deps: StatusReadDependencies,
  date: string,
  problems: string[],
): Promise<SuccessRate[]> {
  const dates = Array.from({ length: SUCCESS_RATE_DAYS }, (_, back) => addDays(date, -back));
  const rates: SuccessRate[] = [];
  for (const transition of deps.config.transitions) {
    const phase = deps.config.phases.find((candidate) => candidate.id === transition.from);
    if (!phase) continue;
    const documents = await Promise.all(
      dates.map((day) =>
        attempt(
          problems,
          `${transition.state_collection}/${day}`,
          () => deps.state.get(`${transition.state_collection}/${day}`),
          undefined,
        ),
      ),
    );
    const observed = documents.filter((document): document is StateDocument => document !== undefined);
    for (const processor of phase.processors) {
      const completed = observed.filter((document) =>
        COMPLETED.has(text(record(document[processor.name]).status) ?? ''),
      ).length;
      rates.push({
        phase: phase.label,
        processor: processor.name,
        completed_days: completed,
        observed_days: observed.length,
        rate: observed.length ? completed / observed.length : null,
      });
    }
  }
  return rates;
}

/**
 * The status of `date` and the `days - 1` days before it, with 14-day
 * processor success rates, open alerts and deliveries still pending.
 */
export async function readStatusSnapshot(
  deps: StatusReadDependencies,
  date: string,
  days: number,
): Promise<StatusSnapshot> {
  const problems: string[] = [];
  const dates = Array.from({ length: days }, (_, back) => addDays(date, -back));
  const [daySnapshots, rates, alerts, deliveries] = await Promise.all([
    Promise.all(dates.map((day) => readDay(deps, day, problems))),
    successRates(deps, date, problems),
    attempt(
      problems,
      'open alerts',
      () => deps.state.list(ALERTS_COLLECTION, [{ field: 'status', op: '==', value: 'open' }]),
      [],
    ),
    attempt(
      problems,
      'pending alert deliveries',
      () => deps.state.list(ALERT_DELIVERIES_COLLECTION, [{ field: 'state', op: '==', value: 'pending' }]),
      [],
    ),
  ]);
  return {
    generated_at: deps.clock.now().toISOString(),
    pipeline: deps.config.name,
    time_zone: deps.config.project.time_zone,
    date,
    days: daySnapshots,
    success_rates: rates,
    success_rate_window: { from: addDays(date, -(SUCCESS_RATE_DAYS - 1)), to: date },
    open_alerts: alerts
      .map((document) => openAlertView(document.data))
      .sort(
        (a, b) =>
          (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) ||
          (b.last_raised_at ?? '').localeCompare(a.last_raised_at ?? '') ||
          a.key.localeCompare(b.key),
      ),
    pending_deliveries: deliveries
      .map((document) => pendingDeliveryView(document.id, document.data))
      .sort((a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? '')),
    problems,
  };
}
