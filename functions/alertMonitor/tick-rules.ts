import { ALERTS_COLLECTION } from '../../shared/adapters/dedup.alert-sink.js';
import type { PipelineConfig } from '../../shared/config/schema.js';
import {
  type AlertVerdict,
  dataStaleness,
  type OpenCondition,
  predictionVolume,
} from '../../shared/domain/alert-rules.js';
import { addDays, localTimeOn, resolveGameDate } from '../../shared/domain/calendar.js';
import { modeFacts } from '../../shared/domain/orchestration-mode.js';
import { decideTransition } from '../../shared/domain/transition-rules.js';
import type { Logger } from '../../shared/logging/logger.js';
import { alertKey } from '../../shared/messages/alert.js';
import type { AlertSink } from '../../shared/ports/alert-sink.port.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import type { StateStore } from '../../shared/ports/state-store.port.js';
import type { Warehouse } from '../../shared/ports/warehouse.port.js';
import { scheduledGames } from '../../shared/queries/schedule.js';
import { reportsOf } from '../phaseTransition/date-state.js';
import { clearEventConditions } from './clear-conditions.js';
import * as queries from './queries.js';
import { raiseVerdict } from './raise-verdict.js';

/** The grouped sink: re-drives notices a destination refused and takes the grouping decision on the tick. */
export interface FlushingAlertSink extends AlertSink {
  redeliverPending(): Promise<number>;
  flush(options?: { remindFrom?: string }): Promise<unknown[]>;
}

export interface TickRuleDependencies {
  config: PipelineConfig;
  clock: Clock;
  logger: Logger;
  state: StateStore;
  warehouse: Warehouse;
  alerts: AlertSink | FlushingAlertSink;
}

export interface TickOutcome {
  dates: string[];
  raised: string[];
  cleared: string[];
  /** notices a destination had refused that went out on this tick */
  redelivered: number | undefined;
  notices: number;
}

const PHASE_RULES = ['phase_completion_low', 'critical_processor_missing', 'processor_missing'] as const;

/** When a date's predictions must exist: the freshness gate's cutoff for it. */
export function predictionsDueAt(config: PipelineConfig, gameDate: string): Date {
  const gate = config.freshness_gate;
  const evening = gate.target === 'TOMORROW' ? addDays(gameDate, -1) : gameDate;
  return localTimeOn(evening, gate.cutoff_local_time, config.project.time_zone);
}

/**
 * The phase rules, judged by the same decision phaseTransition takes
 * (`decideTransition`): its `alerts` are the conditions that hold now; an
 * open phase condition of the date that is not among them has cleared.
 */
async function phaseVerdicts(
  deps: TickRuleDependencies,
  gameDate: string,
  now: Date,
  open: ReadonlyMap<string, OpenCondition>,
): Promise<AlertVerdict[]> {
  const { config } = deps;
  const verdicts: AlertVerdict[] = [];
  for (const transition of config.transitions) {
    const phase = config.phases.find((candidate) => candidate.id === transition.from);
    if (!phase) continue;
    const document = (await deps.state.get(`${transition.state_collection}/${gameDate}`)) ?? {};
    const reports = reportsOf(document, phase);
    const first =
      typeof document._first_completion_at === 'string' ? document._first_completion_at : undefined;
    const facts = {
      transition,
      gameDate,
      processors: phase.processors,
      reports,
      firstCompletionAt: first,
      ...modeFacts(transition, gameDate, now, config.project.time_zone),
      now,
      hasGames: true,
      completionBelow: config.alerts.thresholds.phase_completion_below,
    };
    const decision = decideTransition(facts);
    // Clearing asks what the completions themselves support, whatever the clock says: a date whose
    // mode's clock has not run (overnight, with nothing completed since it began) is not judged
    // yet, which is no reason to call its open conditions resolved.
    const settled = decideTransition({
      ...facts,
      firstCompletionAt: undefined,
      modeStartsAt: undefined,
      // long past any alert horizon, so the alerts are those the completions support
      now: new Date(now.getTime() + 366 * 24 * 60 * 60 * 1000),
    });
    const holding = new Set<string>();
    for (const planned of settled.alerts) holding.add(alertKey(planned.rule, planned.subject, gameDate));
    for (const planned of decision.alerts) {
      const key = alertKey(planned.rule, planned.subject, gameDate);
      holding.add(key);
      verdicts.push({
        kind: 'raise',
        key,
        condition: { ...planned, game_date: gameDate },
      });
    }
    if (settled.kind === 'wait' && settled.reason === 'no_completions_yet') continue;
    const done = decision.quality.completed;
    const subjects = [transition.from, ...phase.processors.map((processor) => processor.name)];
    for (const rule of PHASE_RULES)
      for (const subject of subjects) {
        const key = alertKey(rule, subject, gameDate);
        if (!open.has(key) || holding.has(key)) continue;
        verdicts.push({
          kind: 'clear',
          key,
          message:
            rule === 'phase_completion_low'
              ? `${phase.label} for ${gameDate} is back above its threshold (${done.length} of ${phase.processors.length} processors completed)`
              : `${subject} completed for ${gameDate}`,
        });
      }
  }
  return verdicts;
}

async function verdictsFor(
  deps: TickRuleDependencies,
  gameDate: string,
  now: Date,
  open: ReadonlyMap<string, OpenCondition>,
): Promise<AlertVerdict[]> {
  const { config } = deps;
  const schedule = await scheduledGames(deps.warehouse, config, gameDate);
  // A date with no games never alerts (see DESIGN: nothing about it may retry or alert).
  if (schedule.games === 0) return [];
  const verdicts = await phaseVerdicts(deps, gameDate, now, open);
  const volume = await queries.predictionVolume(deps.warehouse, config.grading.tables.predictions, gameDate);
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
    const newest = await queries.newestProcessedAt(deps.warehouse, check, gameDate);
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

/** The rules this monitor judges per date on the tick. */
const DATE_RULES = new Set<string>([...PHASE_RULES, 'prediction_volume_low', 'data_stale']);

async function openConditions(deps: TickRuleDependencies): Promise<Map<string, OpenCondition>> {
  const documents = await deps.state.list(ALERTS_COLLECTION, [{ field: 'status', op: '==', value: 'open' }]);
  return new Map(
    documents.map((document) => {
      const data = document.data as unknown as OpenCondition;
      return [data.key, data] as const;
    }),
  );
}

/**
 * What the alert monitor does on every `shotclock-tick`:
 * 1. re-send alert deliveries a channel refused;
 * 2. judge the date rules (phase completion and missing processors at the
 *    phase's horizon, prediction volume once predictions are due, staleness
 *    of the inputs predictions ran on) for yesterday, today and tomorrow in
 *    the pipeline's time zone: raise what holds, clear what no longer does;
 *    earlier dates that still have an open condition are only cleared;
 * 3. clear conditions raised from events once their raiser's own state says
 *    they are over (`clear-conditions.ts`);
 * 4. take the grouping decision for every open date: first notices after the
 *    group wait, reminders after the repeat interval, one resolved notice.
 */
export async function runTickRules(deps: TickRuleDependencies): Promise<TickOutcome> {
  const flushing = 'flush' in deps.alerts ? deps.alerts : undefined;
  const redelivered = flushing ? await flushing.redeliverPending() : undefined;
  const now = deps.clock.now();
  const zone = deps.config.project.time_zone;
  const dates = (['YESTERDAY', 'TODAY', 'TOMORROW'] as const).map((day) => resolveGameDate(day, now, zone));
  const outcome: TickOutcome = { dates, raised: [], cleared: [], redelivered, notices: 0 };
  const open = await openConditions(deps);
  const hand = async (verdict: AlertVerdict) => {
    const kind = await raiseVerdict(deps, verdict);
    if (kind === 'raise') outcome.raised.push(verdict.key);
    if (kind === 'clear') outcome.cleared.push(verdict.key);
  };
  // Watched dates raise and clear; earlier dates with a condition still open are only cleared.
  const lingering = [
    ...new Set(
      [...open.values()]
        .filter(
          (condition) =>
            DATE_RULES.has(condition.rule) && condition.game_date && condition.game_date < dates[0]!,
        )
        .map((condition) => condition.game_date!),
    ),
  ].sort();
  const judged = [
    ...dates.map((gameDate) => ({ gameDate, raises: true })),
    ...lingering.map((gameDate) => ({ gameDate, raises: false })),
  ];
  for (const { gameDate, raises } of judged)
    for (const verdict of await verdictsFor(deps, gameDate, now, open))
      if (raises || verdict.kind === 'clear') await hand(verdict);
  for (const verdict of await clearEventConditions(deps, [...open.values()], dates[0]!)) await hand(verdict);
  if (flushing) outcome.notices = (await flushing.flush({ remindFrom: dates[0]! })).length;
  deps.logger.info('alert rules evaluated', {
    dates,
    raised: outcome.raised.length,
    cleared: outcome.cleared.length,
    notices: outcome.notices,
  });
  return outcome;
}
