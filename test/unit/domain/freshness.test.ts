import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { expectedCount } from '../../../shared/domain/expected-count.js';
import {
  blockedDateStep,
  decideGate,
  type FreshnessCheckConfig,
  type FreshnessVerdict,
  gateCutoff,
  judgeTable,
  type TableContext,
  type TableFigures,
} from '../../../shared/domain/freshness.js';

const config = loadPipelineConfig();
const [playerContext, featureStore] = config.freshness_gate.checks as [
  FreshnessCheckConfig,
  FreshnessCheckConfig,
];
const GAME_DATE = '2026-01-18';
const NOW = new Date('2026-01-17T22:45:00Z'); // 17:45 ET the evening before
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

const context = (games = 6, overrides: Partial<TableContext> = {}): TableContext => ({
  gameDate: GAME_DATE,
  now: NOW,
  games,
  expected: expectedCount({ kind: 'schedule', rows_per_game: 26 }, GAME_DATE, games),
  completeness: { error_below_fraction: 0.5, warn_below_fraction: 0.8 },
  ...overrides,
});

const fullDay: TableFigures = {
  rows: 156,
  players: 156,
  players_with_lines: 120,
  games_with_rows: 6,
  newest_processed_at: hoursAgo(0.5),
};

describe('judgeTable: one configured check against the date’s figures', () => {
  const cases: Array<{
    name: string;
    figures: Partial<TableFigures>;
    level: 'pass' | 'warn' | 'error';
    kinds: string[];
    says?: RegExp;
  }> = [
    { name: 'a full, fresh day', figures: {}, level: 'pass', kinds: [] },
    {
      name: '1 row of 156 (2026-01-17)',
      figures: { rows: 1, players: 1, players_with_lines: 0, games_with_rows: 1 },
      level: 'error',
      kinds: ['completeness', 'players', 'players_with_lines', 'line_coverage', 'game_coverage'],
      says: /1 of 156 expected rows/,
    },
    {
      name: 'processed 30 hours ago',
      figures: { newest_processed_at: hoursAgo(30) },
      level: 'error',
      kinds: ['freshness'],
      says: /processed 30 h ago .* over the 24 h limit/,
    },
    {
      name: 'processed 7 hours ago: warning only',
      figures: { newest_processed_at: hoursAgo(7) },
      level: 'warn',
      kinds: ['freshness'],
      says: /7 h ago, over the 6 h warning level/,
    },
    {
      name: 'a few rows short of expected: still a pass',
      figures: { rows: 140, players: 140 },
      level: 'pass',
      kinds: [],
    },
    {
      name: 'a third of the expected rows missing: warning',
      figures: { rows: 104, players: 104 },
      level: 'warn',
      kinds: ['completeness'],
      says: /104 of 156 expected rows \(66.7%/,
    },
    {
      name: 'half the expected rows missing: error',
      figures: { rows: 70, players: 70 },
      level: 'error',
      kinds: ['completeness'],
      says: /below 50%/,
    },
    {
      name: 'lines for 5% of players',
      figures: { players_with_lines: 8 },
      level: 'error',
      kinds: ['players_with_lines', 'line_coverage'],
      says: /5.1% of players have a prop line, below 10%/,
    },
    {
      name: 'one game of six missing: 83% coverage is a warning',
      figures: { games_with_rows: 5 },
      level: 'warn',
      kinds: ['game_coverage'],
    },
    {
      name: 'two games of six missing: below 80% is an error',
      figures: { games_with_rows: 4 },
      level: 'error',
      kinds: ['game_coverage'],
    },
    {
      name: 'no rows at all for the date',
      figures: { rows: 0, players: 0, players_with_lines: 0, games_with_rows: 0, newest_processed_at: null },
      level: 'error',
      kinds: ['no_rows'],
      says: /no rows yet \(expected 156\)/,
    },
    {
      name: 'rows without processed_at',
      figures: { newest_processed_at: null },
      level: 'error',
      kinds: ['freshness'],
      says: /age is unknown/,
    },
  ];

  it.each(cases)('$name -> $level', ({ figures, level, kinds, says }) => {
    const verdict = judgeTable(playerContext, { ok: true, figures: { ...fullDay, ...figures } }, context());
    expect(verdict.level).toBe(level);
    expect(verdict.findings.map((finding) => finding.kind).sort()).toEqual([...kinds].sort());
    for (const finding of verdict.findings)
      expect(finding.reason).toContain(`${playerContext.table} for ${GAME_DATE}`);
    if (says) expect(verdict.findings.map((finding) => finding.reason).join('\n')).toMatch(says);
  });

  it('a table that cannot be read is an error, never fresh', () => {
    const verdict = judgeTable(playerContext, { ok: false, error: 'UNAVAILABLE: warehouse down' }, context());
    expect(verdict.level).toBe('error');
    expect(verdict.findings[0]?.reason).toMatch(
      /could not read .*UNAVAILABLE: warehouse down.*never taken as fresh/,
    );
  });

  it('a check without line thresholds does not judge lines, and one without a rule not completeness', () => {
    const { players_with_lines: _lines, ...noLines } = fullDay;
    const verdict = judgeTable(
      featureStore,
      { ok: true, figures: { ...noLines, rows: 60, players: 60 } },
      context(6, { expected: undefined }),
    );
    expect(verdict.level).toBe('pass');
    expect(verdict.line_coverage).toBeNull();
  });

  it('freshness is measured at `now`, to the hour boundaries of the config', () => {
    const at = (hours: number) =>
      judgeTable(
        featureStore,
        { ok: true, figures: { ...fullDay, newest_processed_at: hoursAgo(hours) } },
        context(),
      ).level;
    expect([at(23.9), at(24), at(6.5)]).toEqual(['pass', 'error', 'pass']);
  });
});

describe('decideGate', () => {
  const verdict = (level: 'pass' | 'warn' | 'error', reason = `${level} reason`): FreshnessVerdict => ({
    table: `t.${level}`,
    level,
    findings: level === 'pass' ? [] : [{ kind: 'freshness', level, reason }],
    figures: null,
    age_hours: null,
    expected_rows: null,
    expected_basis: null,
    line_coverage: null,
    game_coverage: null,
  });

  it.each([
    { name: 'all pass', verdicts: ['pass', 'pass'], status: 'OPEN' },
    { name: 'warnings only', verdicts: ['warn', 'pass'], status: 'DEGRADED' },
    { name: 'any error', verdicts: ['warn', 'error'], status: 'BLOCKED' },
  ] as const)('$name -> $status', ({ verdicts, status }) => {
    const decision = decideGate(
      GAME_DATE,
      { ok: true, games: 6 },
      verdicts.map((level) => verdict(level)),
    );
    expect(decision.status).toBe(status);
    expect(decision.reasons.length).toBeGreaterThan(0);
    if (status === 'BLOCKED') expect(decision.reasons[0]).toBe('error reason');
  });

  it('no games scheduled -> SKIPPED, whatever the tables say', () => {
    const decision = decideGate(GAME_DATE, { ok: true, games: 0 }, [verdict('error')]);
    expect(decision).toMatchObject({ status: 'SKIPPED', reasons: [`no games scheduled on ${GAME_DATE}`] });
  });

  it('an unreadable schedule is BLOCKED, not "no games"', () => {
    const decision = decideGate(GAME_DATE, { ok: false, error: 'connection reset' }, []);
    expect(decision.status).toBe('BLOCKED');
    expect(decision.reasons[0]).toMatch(/could not read the schedule .*connection reset/);
  });
});

describe('gateCutoff and blockedDateStep', () => {
  it.each([
    // 22:00 ET the evening before the games, EST and EDT
    { gameDate: '2026-01-18', cutoff: '2026-01-18T03:00:00.000Z' },
    { gameDate: '2026-03-08', cutoff: '2026-03-08T03:00:00.000Z' }, // 7 Mar is still EST
    { gameDate: '2026-03-09', cutoff: '2026-03-09T02:00:00.000Z' }, // 8 Mar is EDT
  ])('TOMORROW gate for $gameDate stops re-checking at $cutoff', ({ gameDate, cutoff }) => {
    expect(gateCutoff(gameDate, config.freshness_gate, config.project.time_zone).toISOString()).toBe(cutoff);
  });

  it('a TODAY gate cuts off on the game date itself', () => {
    expect(
      gateCutoff(
        '2026-01-18',
        { ...config.freshness_gate, target: 'TODAY' },
        'America/New_York',
      ).toISOString(),
    ).toBe('2026-01-19T03:00:00.000Z');
  });

  it.each([
    { now: '2026-01-18T02:55:00Z', alerted: false, step: 'recheck' },
    { now: '2026-01-18T03:00:00Z', alerted: false, step: 'final_check_and_alert' },
    { now: '2026-01-18T03:05:00Z', alerted: true, step: 'done' },
  ] as const)('at $now (alerted: $alerted) -> $step', ({ now, alerted, step }) => {
    expect(blockedDateStep(new Date(now), new Date('2026-01-18T03:00:00Z'), alerted)).toBe(step);
  });
});
