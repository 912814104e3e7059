import type { PipelineConfig, Processor } from '../../shared/config/schema.js';
import { addDays } from '../../shared/domain/calendar.js';
import {
  type CountHistoryDay,
  type ExpectedCount,
  expectedCount,
} from '../../shared/domain/expected-count.js';
import {
  decideGate,
  type FreshnessCheckConfig,
  type GateDecision,
  judgeTable,
  type ScheduleObservation,
  type TableObservation,
} from '../../shared/domain/freshness.js';
import type { Warehouse } from '../../shared/ports/warehouse.port.js';
import {
  type CheckedTableDay,
  checkedTableDays,
  figuresOn,
  gamesPerDate,
} from '../../shared/queries/freshness.js';

export interface GateEvaluation extends GateDecision {
  game_date: string;
  evaluated_at: string;
  /** null when the schedule could not be read */
  games: number | null;
}

export interface EvaluateDependencies {
  config: PipelineConfig;
  warehouse: Warehouse;
}

/** The processor that writes `table`, whose expected-count rule the completeness check uses. */
function processorWriting(config: PipelineConfig, table: string): Processor | undefined {
  return config.phases.flatMap((phase) => phase.processors).find((processor) => processor.table === table);
}

/** The first line of a driver error, short enough for a reason a person reads. */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n')[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

/**
 * Reads the warehouse (one schedule query, one query per check) and judges
 * the date. Nothing is written here; any failure to read becomes a BLOCKED
 * reason, never an exception and never "fresh".
 */
export async function evaluateGate(
  deps: EvaluateDependencies,
  gameDate: string,
  now: Date,
  checks: readonly FreshnessCheckConfig[] = deps.config.freshness_gate.checks,
): Promise<GateEvaluation> {
  const { config, warehouse } = deps;
  const rules = checks.map((check) => processorWriting(config, check.table)?.expected);
  const historyDays = Math.max(0, ...rules.map((rule) => (rule?.kind === 'baseline' ? rule.days : 0)));
  const from = addDays(gameDate, -historyDays);

  let schedule: ScheduleObservation;
  let games = new Map<string, number>();
  try {
    games = await gamesPerDate(warehouse, config, from, gameDate);
    schedule = { ok: true, games: games.get(gameDate) ?? 0 };
  } catch (error) {
    schedule = { ok: false, error: errorText(error) };
  }
  const evaluatedAt = now.toISOString();
  const base = { game_date: gameDate, evaluated_at: evaluatedAt, games: schedule.ok ? schedule.games : null };
  if (!schedule.ok || schedule.games === 0) return { ...base, ...decideGate(gameDate, schedule, []) };

  // Below the record-count retry threshold (50%) the data is not there; below the phase-completion
  // alert threshold (80%) it is thin. Not tighter: a baseline is a median, so half of good days fall under it.
  const completeness = {
    error_below_fraction: config.record_count.retry_below_fraction,
    warn_below_fraction: config.alerts.thresholds.phase_completion_below,
  };
  const verdicts = await Promise.all(
    checks.map(async (check, i) => {
      const rule = rules[i];
      let observation: TableObservation;
      let expected: ExpectedCount | undefined;
      try {
        const days = await checkedTableDays(
          warehouse,
          check,
          gameDate,
          rule?.kind === 'baseline' ? from : gameDate,
        );
        observation = { ok: true, figures: figuresOn(days, check, gameDate) };
        if (rule) expected = expectedCount(rule, gameDate, schedule.games, history(days, games, gameDate));
      } catch (error) {
        observation = { ok: false, error: errorText(error) };
      }
      return judgeTable(check, observation, {
        gameDate,
        now,
        games: schedule.games,
        completeness,
        ...(expected ? { expected } : {}),
      });
    }),
  );
  return { ...base, ...decideGate(gameDate, schedule, verdicts) };
}

function history(days: CheckedTableDay[], games: Map<string, number>, gameDate: string): CountHistoryDay[] {
  return days
    .filter((day) => day.game_date !== gameDate)
    .map((day) => ({ game_date: day.game_date, rows: day.rows, games: games.get(day.game_date) ?? 0 }));
}
