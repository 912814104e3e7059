import type { z } from 'zod';
import type { FreshnessCheck, FreshnessGatePolicy } from '../config/schema.js';
import { addDays, localTimeOn } from './calendar.js';
import type { ExpectedCount } from './expected-count.js';

export type FreshnessCheckConfig = z.infer<typeof FreshnessCheck>;
export type FreshnessGateConfig = z.infer<typeof FreshnessGatePolicy>;

/** dbt-style levels: a warning lets predictions run (degraded), an error holds them back. */
export type FindingLevel = 'warn' | 'error';
export type VerdictLevel = 'pass' | FindingLevel;

export type FindingKind =
  | 'unreadable'
  | 'no_rows'
  | 'freshness'
  | 'completeness'
  | 'players'
  | 'players_with_lines'
  | 'line_coverage'
  | 'game_coverage';

export interface FreshnessFinding {
  kind: FindingKind;
  level: FindingLevel;
  /** one sentence a person can act on, naming the table, the date and the figures */
  reason: string;
}

/** What the warehouse says about one table for the target date. */
export interface TableFigures {
  rows: number;
  players: number;
  /** undefined when the check does not look at prop lines */
  players_with_lines?: number;
  /** distinct scheduled games that have rows */
  games_with_rows: number;
  /** newest `processed_at` among the date's rows (ISO 8601), null when the date has none */
  newest_processed_at: string | null;
}

/** A query that failed is an observation too: it can never read as fresh. */
export type TableObservation = { ok: true; figures: TableFigures } | { ok: false; error: string };

export interface FreshnessVerdict {
  table: string;
  level: VerdictLevel;
  findings: FreshnessFinding[];
  figures: TableFigures | null;
  /** derived figures, for the status page */
  age_hours: number | null;
  expected_rows: number | null;
  expected_basis: string | null;
  line_coverage: number | null;
  game_coverage: number | null;
}

/** How far below the expected count is a warning, and how far an error (from the record-count rules). */
export interface CompletenessThresholds {
  /** below this share of the expected rows: error (the record-count retry threshold, 0.5) */
  error_below_fraction: number;
  /** below this share: warning (the phase-completion alert threshold, 0.8) */
  warn_below_fraction: number;
}

export interface TableContext {
  gameDate: string;
  now: Date;
  /** scheduled games on the date */
  games: number;
  /** from the processor's rule; undefined when no processor writing this table has one */
  expected?: ExpectedCount;
  completeness: CompletenessThresholds;
}

const percent = (fraction: number) => `${Math.round(fraction * 1000) / 10}%`;
const hours = (value: number) => `${Math.round(value * 10) / 10} h`;

/** Judges one configured check against what the warehouse returned for the date. */
export function judgeTable(
  check: FreshnessCheckConfig,
  observation: TableObservation,
  context: TableContext,
): FreshnessVerdict {
  const { table } = check;
  const on = `${table} for ${context.gameDate}`;
  const verdict = (
    findings: FreshnessFinding[],
    extra: Partial<FreshnessVerdict> = {},
  ): FreshnessVerdict => ({
    table,
    level: findings.some((f) => f.level === 'error')
      ? 'error'
      : findings.some((f) => f.level === 'warn')
        ? 'warn'
        : 'pass',
    findings,
    figures: null,
    age_hours: null,
    expected_rows: context.expected?.rows ?? null,
    expected_basis: context.expected?.basis ?? null,
    line_coverage: null,
    game_coverage: null,
    ...extra,
  });

  if (!observation.ok)
    return verdict([
      {
        kind: 'unreadable',
        level: 'error',
        reason: `could not read ${on} (${observation.error}); an unreadable table is never taken as fresh`,
      },
    ]);

  const { figures } = observation;
  if (figures.rows === 0)
    return verdict(
      [
        {
          kind: 'no_rows',
          level: 'error',
          reason: `${on}: no rows yet${context.expected ? ` (expected ${context.expected.rows})` : ''}`,
        },
      ],
      { figures, line_coverage: 0, game_coverage: 0 },
    );

  const findings: FreshnessFinding[] = [];

  // Freshness: the newest row for this date, not for the table (the incumbent's mistake).
  let ageHours: number | null = null;
  if (figures.newest_processed_at === null) {
    findings.push({
      kind: 'freshness',
      level: 'error',
      reason: `${on}: ${figures.rows} rows but none has ${check.processed_column}, so their age is unknown`,
    });
  } else {
    ageHours = (context.now.getTime() - new Date(figures.newest_processed_at).getTime()) / 3_600_000;
    if (ageHours >= check.error_after_hours)
      findings.push({
        kind: 'freshness',
        level: 'error',
        reason: `${on}: newest row processed ${hours(ageHours)} ago (at ${figures.newest_processed_at}), over the ${check.error_after_hours} h limit`,
      });
    else if (check.warn_after_hours !== undefined && ageHours >= check.warn_after_hours)
      findings.push({
        kind: 'freshness',
        level: 'warn',
        reason: `${on}: newest row processed ${hours(ageHours)} ago, over the ${check.warn_after_hours} h warning level`,
      });
  }

  // Completeness against the processor's expected count.
  const expected = context.expected;
  if (expected && expected.rows > 0) {
    const share = figures.rows / expected.rows;
    const detail = `${figures.rows} of ${expected.rows} expected rows (${percent(share)}; ${expected.basis})`;
    if (share < context.completeness.error_below_fraction)
      findings.push({
        kind: 'completeness',
        level: 'error',
        reason: `${on}: ${detail}, below ${percent(context.completeness.error_below_fraction)}`,
      });
    else if (share < context.completeness.warn_below_fraction)
      findings.push({ kind: 'completeness', level: 'warn', reason: `${on}: ${detail}` });
  }

  if (figures.players < check.min_players)
    findings.push({
      kind: 'players',
      level: 'error',
      reason: `${on}: ${figures.players} players, fewer than the ${check.min_players} required`,
    });

  let lineCoverage: number | null = null;
  if (figures.players_with_lines !== undefined) {
    lineCoverage = figures.players > 0 ? figures.players_with_lines / figures.players : 0;
    if (
      check.min_players_with_lines !== undefined &&
      figures.players_with_lines < check.min_players_with_lines
    )
      findings.push({
        kind: 'players_with_lines',
        level: 'error',
        reason: `${on}: ${figures.players_with_lines} players with a prop line, fewer than the ${check.min_players_with_lines} required`,
      });
    if (check.min_line_coverage !== undefined && lineCoverage < check.min_line_coverage)
      findings.push({
        kind: 'line_coverage',
        level: 'error',
        reason: `${on}: ${percent(lineCoverage)} of players have a prop line, below ${percent(check.min_line_coverage)}`,
      });
  }

  let gameCoverage: number | null = null;
  if (context.games > 0) {
    gameCoverage = Math.min(1, figures.games_with_rows / context.games);
    const detail = `rows for ${figures.games_with_rows} of ${context.games} scheduled games (${percent(gameCoverage)})`;
    if (check.min_game_coverage !== undefined && gameCoverage < check.min_game_coverage)
      findings.push({
        kind: 'game_coverage',
        level: 'error',
        reason: `${on}: ${detail}, below ${percent(check.min_game_coverage)}`,
      });
    else if (check.min_game_coverage !== undefined && gameCoverage < 1)
      findings.push({ kind: 'game_coverage', level: 'warn', reason: `${on}: ${detail}` });
  }

  return verdict(findings, {
    figures,
    age_hours: ageHours === null ? null : Math.round(ageHours * 100) / 100,
    line_coverage: lineCoverage,
    game_coverage: gameCoverage,
  });
}

export type GateStatus = 'OPEN' | 'DEGRADED' | 'BLOCKED' | 'SKIPPED';

/** Whether predictions may run on a status. */
export const isOpen = (status: GateStatus): status is 'OPEN' | 'DEGRADED' =>
  status === 'OPEN' || status === 'DEGRADED';

/** What the schedule says about the date; a failed read is never "no games". */
export type ScheduleObservation = { ok: true; games: number } | { ok: false; error: string };

export interface GateDecision {
  status: GateStatus;
  reasons: string[];
  verdicts: FreshnessVerdict[];
}

/**
 * The gate: SKIPPED when no games are scheduled, BLOCKED on any error (an
 * unreadable schedule included), DEGRADED on warnings only, otherwise OPEN.
 * Reasons list the errors first, then the warnings.
 */
export function decideGate(
  gameDate: string,
  schedule: ScheduleObservation,
  verdicts: FreshnessVerdict[],
): GateDecision {
  if (!schedule.ok)
    return {
      status: 'BLOCKED',
      reasons: [
        `could not read the schedule for ${gameDate} (${schedule.error}); the gate stays closed until it can`,
      ],
      verdicts: [],
    };
  if (schedule.games === 0)
    return { status: 'SKIPPED', reasons: [`no games scheduled on ${gameDate}`], verdicts: [] };
  const findings = verdicts.flatMap((verdict) => verdict.findings);
  const errors = findings.filter((finding) => finding.level === 'error').map((finding) => finding.reason);
  const warnings = findings.filter((finding) => finding.level === 'warn').map((finding) => finding.reason);
  if (errors.length > 0) return { status: 'BLOCKED', reasons: [...errors, ...warnings], verdicts };
  if (warnings.length > 0) return { status: 'DEGRADED', reasons: warnings, verdicts };
  return {
    status: 'OPEN',
    reasons: [
      `all ${verdicts.length} checks passed for ${gameDate} (${schedule.games} games): ${verdicts.map((v) => v.table).join(', ')}`,
    ],
    verdicts,
  };
}

/**
 * When re-checking a blocked date stops: the cutoff wall-clock time on the day
 * the gate runs, which for a TOMORROW gate is the evening before the games.
 */
export function gateCutoff(gameDate: string, policy: FreshnessGateConfig, timeZone: string): Date {
  const runDay = policy.target === 'TOMORROW' ? addDays(gameDate, -1) : gameDate;
  return localTimeOn(runDay, policy.cutoff_local_time, timeZone);
}

export type BlockedDateStep = 'recheck' | 'final_check_and_alert' | 'done';

/**
 * What the periodic tick does for a BLOCKED date: re-check until the cutoff;
 * at the cutoff one last check and, if still blocked, one alert; then nothing.
 */
export function blockedDateStep(now: Date, cutoff: Date, cutoffAlerted: boolean): BlockedDateStep {
  if (now.getTime() < cutoff.getTime()) return 'recheck';
  return cutoffAlerted ? 'done' : 'final_check_and_alert';
}
