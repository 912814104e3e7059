import { ALERTS_COLLECTION } from '../../shared/adapters/dedup.alert-sink.js';
import type { PipelineConfig } from '../../shared/config/schema.js';
import {
  type AlertVerdict,
  dataStaleness,
  phaseCompletion,
  predictionVolume,
} from '../../shared/domain/alert-rules.js';
import { addDays, localTimeOn, resolveGameDate } from '../../shared/domain/calendar.js';
import { alertHorizonMinutes } from '../../shared/domain/transition-rules.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { AlertSink } from '../../shared/ports/alert-sink.port.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import { instantText, type StateDocument, type StateStore } from '../../shared/ports/state-store.port.js';
import type { Warehouse } from '../../shared/ports/warehouse.port.js';
import { scheduledGames } from '../../shared/queries/schedule.js';
import * as queries from './queries.js';
import { raiseVerdict } from './raise-verdict.js';

/** A sink that can re-send deliveries a channel refused earlier (the dedup sink). */
export interface RedeliveringAlertSink extends AlertSink {
  redeliverPending(): Promise<{ delivered: number; failed: number }>;
}

export interface TickRuleDependencies {
  config: PipelineConfig;
  clock: Clock;
  logger: Logger;
  state: StateStore;
  warehouse: Warehouse;
  alerts: AlertSink | RedeliveringAlertSink;
}

export interface TickOutcome {
  dates: string[];
  raised: string[];
  cleared: string[];
  redelivered: { delivered: number; failed: number } | undefined;
}

const COMPLETED = new Set(['success', 'partial']);

/** Processors with a completion record in a phase-state document (the incumbent's layout). */
function completionsIn(document: StateDocument | undefined): { completed: string[]; first?: Date } {
  if (!document) return { completed: [] };
  const completed: string[] = [];
  let first: string | undefined =
    typeof document._first_completion_at === 'string' ? document._first_completion_at : undefined;
  for (const [field, value] of Object.entries(document)) {
    if (field.startsWith('_') || typeof value !== 'object' || value === null) continue;
    const record = value as { status?: unknown; completed_at?: unknown };
    if (typeof record.status === 'string' && COMPLETED.has(record.status)) completed.push(field);
    const completedAt = instantText(record.completed_at);
    if (completedAt !== undefined && (first === undefined || Date.parse(completedAt) < Date.parse(first)))
      first = completedAt;
  }
  return { completed, ...(first ? { first: new Date(first) } : {}) };
}

/** When a date's predictions must exist: the freshness gate's cutoff for it. */
export function predictionsDueAt(config: PipelineConfig, gameDate: string): Date {
  const gate = config.freshness_gate;
  const evening = gate.target === 'TOMORROW' ? addDays(gameDate, -1) : gameDate;
  return localTimeOn(evening, gate.cutoff_local_time, config.project.time_zone);
}

async function verdictsFor(deps: TickRuleDependencies, gameDate: string, now: Date): Promise<AlertVerdict[]> {
  const { config } = deps;
  const schedule = await scheduledGames(deps.warehouse, config, gameDate);
  // A date with no games never alerts (see DESIGN: nothing about it may retry or alert).
  if (schedule.games === 0) return [];
  const verdicts: AlertVerdict[] = [];
  for (const transition of config.transitions) {
    const phase = config.phases.find((candidate) => candidate.id === transition.from);
    // The same horizon phaseTransition alerts at, so both judge the phase at the same moment.
    const deadline = alertHorizonMinutes(transition);
    if (!phase || deadline === undefined) continue;
    const { completed, first } = completionsIn(
      await deps.state.get(`${transition.state_collection}/${gameDate}`),
    );
    verdicts.push(
      phaseCompletion({
        phase: transition.from,
        phaseLabel: phase.label,
        gameDate,
        required: phase.processors
          .filter((processor) => processor.required)
          .map((processor) => processor.name),
        completed,
        firstCompletionAt: first,
        deadlineMinutes: deadline,
        now,
        threshold: config.alerts.thresholds.phase_completion_below,
      }),
    );
  }
  const volume = await queries.predictionVolume(deps.warehouse, gameDate);
  verdicts.push(
    predictionVolume({
      gameDate,
      games: schedule.games,
      predictions: volume.predictions,
      dueAt: predictionsDueAt(config, gameDate),
      now,
      threshold: config.alerts.thresholds.prediction_volume_below,
    }),
  );
  // Staleness is judged against when predictions ran: without predictions there is nothing to ask.
  if (!volume.newest_created_at) return verdicts;
  for (const check of config.freshness_gate.checks) {
    const newest = await queries.newestProcessedAt(
      deps.warehouse,
      check.table,
      check.date_column,
      check.processed_column,
      gameDate,
    );
    verdicts.push(
      dataStaleness({
        table: check.table,
        gameDate,
        newestProcessedAt: newest ? new Date(newest) : undefined,
        predictionsAt: new Date(volume.newest_created_at),
        thresholdHours: config.alerts.thresholds.data_staleness_hours,
      }),
    );
  }
  return verdicts;
}

/** The rules this monitor evaluates on the tick (the others are raised by the functions that see the event). */
const TICK_RULES = new Set(['phase_completion_low', 'prediction_volume_low', 'data_stale']);

/**
 * Dates before the window that still have an open tick-rule alert. They are
 * re-checked so that a late backfill resolves the alert, but never raised
 * again: a day that has passed does not nag every hour.
 */
async function lingeringDates(deps: TickRuleDependencies, window: readonly string[]): Promise<string[]> {
  const open = await deps.state.list(ALERTS_COLLECTION, [{ field: 'status', op: '==', value: 'open' }]);
  const oldest = addDays(window[0]!, -deps.config.record_count.past_date_max_age_days);
  const dates = open.flatMap((document) => {
    const { rule, game_date: gameDate } = document.data as { rule?: string; game_date?: string };
    return rule && TICK_RULES.has(rule) && gameDate && gameDate < window[0]! && gameDate >= oldest
      ? [gameDate]
      : [];
  });
  return [...new Set(dates)].sort();
}

/**
 * What the alert monitor does on every `shotclock-tick`: re-send alert
 * deliveries a channel refused, then evaluate the rules that depend on time
 * rather than on an event (phase completion at its deadline, prediction
 * volume once predictions are due, staleness of the inputs predictions ran
 * on) for yesterday, today and tomorrow in the pipeline's time zone, and
 * resolve what a backfill fixed on the few days before.
 */
export async function runTickRules(deps: TickRuleDependencies): Promise<TickOutcome> {
  const redelivered = 'redeliverPending' in deps.alerts ? await deps.alerts.redeliverPending() : undefined;
  const now = deps.clock.now();
  const zone = deps.config.project.time_zone;
  const dates = (['YESTERDAY', 'TODAY', 'TOMORROW'] as const).map((day) => resolveGameDate(day, now, zone));
  const outcome: TickOutcome = { dates, raised: [], cleared: [], redelivered };
  const handle = async (gameDate: string, clearOnly: boolean) => {
    for (const verdict of await verdictsFor(deps, gameDate, now)) {
      if (clearOnly && verdict.kind !== 'clear') continue;
      const kind = await raiseVerdict(deps, verdict);
      if (kind === 'raise') outcome.raised.push(verdict.key);
      if (kind === 'clear') outcome.cleared.push(verdict.key);
    }
  };
  for (const gameDate of dates) await handle(gameDate, false);
  for (const gameDate of await lingeringDates(deps, dates)) await handle(gameDate, true);
  deps.logger.info('alert rules evaluated', {
    dates,
    raised: outcome.raised.length,
    cleared: outcome.cleared.length,
  });
  return outcome;
}
