import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { etClock, onTopic, replay } from './support.js';
import { exportBody } from '../../scripts/replay/report.js';

interface SystemLine {
  system_id: string;
  correct: number;
  incorrect: number;
  verdict: string;
}

/** `npm start`'s day, end to end: what shotclock does on 2026-01-17/18 where the incumbent did nothing useful. */
describe('the 2026-01-18 incident day (npm start)', () => {
  it('retries the 1-of-156 Phase 3 run, keeps predictions behind the gate, fires Phase 4 degraded at the 17:35 grace expiry, grades honestly', async () => {
    const report = await replay('2026-01-18-incident.json');

    // Phase 3 wrote 1 of 156 at 17:00: re-runs at 17:30 and, still low (41), about an hour later (backoff
    // with seeded jitter); none after the 156 land.
    expect(report.retries.map((retry) => [etClock(retry.at), retry.attempt, retry.observed_count])).toEqual([
      ['17:30', 1, 1],
      ['18:30', 2, 41],
    ]);

    // Phase 4 done at 17:39 wakes the gate, which blocks on the thin Phase 3 data and opens on the tick after 18:48.
    expect(report.gates.map((gate) => [etClock(gate.at), gate.status])).toEqual([
      ['17:39', 'BLOCKED'],
      ['18:50', 'OPEN'],
    ]);
    const predictions = onTopic(report, 'nba-predictions-trigger');
    expect(predictions.map((record) => etClock(record.at))).toEqual(['18:50']);

    // Through the incumbent's own routes: each re-run is a POST to the analytics service's /process-date-range
    // for the one date and class name; predictions start through the coordinator's /start once the gate opened.
    expect(
      report.calls.map((call) => [etClock(call.at), call.target, new URL(call.url).pathname, call.status]),
    ).toEqual([
      ['17:30', 'analytics_service', '/process-date-range', 200],
      ['18:30', 'analytics_service', '/process-date-range', 200],
      ['18:50', 'prediction_coordinator', '/start', 202],
    ]);
    expect(report.calls[0]!.body).toEqual({
      start_date: '2026-01-18',
      end_date: '2026-01-18',
      processors: ['UpcomingPlayerGameContextProcessor'],
      backfill_mode: false,
      skip_downstream_trigger: false,
    });
    expect(report.calls[2]!.body).toEqual({
      game_date: '2026-01-18',
      correlation_id: (predictions[0]!.data as { correlation_id: string }).correlation_id,
      trigger_source: 'freshness_gate',
    });

    // tomorrow mode: upcoming_player_game_context is the critical set and is in; the optional
    // upcoming_team_game_context does not arrive within the 30 min grace, so Phase 4 fires once, degraded,
    // on the 17:35 tick with one message per Phase 3 table, and the 4 h deadline only alerts on the low completion.
    const phase4 = onTopic(report, 'nba-phase4-trigger');
    expect(new Set(phase4.map((record) => etClock(record.at)))).toEqual(new Set(['17:35']));
    expect(phase4.map((record) => (record.data as { source_table: string }).source_table).sort()).toEqual([
      'player_game_summary',
      'team_defense_game_summary',
      'team_offense_game_summary',
      'upcoming_player_game_context',
      'upcoming_team_game_context',
    ]);
    for (const record of phase4)
      expect(record.data).toMatchObject({
        mode: 'tomorrow',
        trigger_reason: 'grace_period_expired',
        quality: { degraded: true, missing: ['upcoming_team_game_context'], missing_critical: [] },
      });
    const conditions = report.alerts.flatMap((notice) => notice.conditions);
    expect(conditions.filter((condition) => condition.rule === 'critical_processor_missing')).toEqual([]);
    expect(conditions).toContainEqual(
      expect.objectContaining({
        rule: 'phase_completion_low',
        message: expect.stringContaining('missing: upcoming_team_game_context'),
      }),
    );

    // The grading worker's three crashes are redelivered, not dead-lettered, and not a storm.
    const crashes = report.errors.filter(
      (error) => error.kind === 'delivery' && error.function === 'live-grading-export',
    );
    expect(crashes).toHaveLength(3);
    expect(report.errors.filter((error) => error.kind === 'dead-letter')).toEqual([]);

    // The final grading of Saturday: catboost_v8 9 of 48, judged against its own baseline, every system shown.
    const final = report.exports
      .filter((record) => record.path.endsWith('/v1/live-grading/2026-01-17.json'))
      .at(-1)!;
    expect(etClock(final.at)).toBe('07:30');
    expect(final.cache_control).toBe('public, max-age=30');
    const body = exportBody(report, final) as {
      summary: { correct: number; graded: number };
      systems: SystemLine[];
      overall: string;
    };
    expect(body.summary).toMatchObject({ correct: 9, graded: 48 });
    expect(body.systems).toHaveLength(6);
    expect(body.systems.find((system) => system.system_id === 'catboost_v8')).toMatchObject({
      correct: 9,
      incorrect: 39,
      verdict: 'below_baseline',
    });
    expect(body.overall).toMatch(/catboost_v8 is 9 of 48/);
    expect(report.alerts.filter((alert) => alert.rule === 'grading_export_stale')).toEqual([]);

    expect(report.status_page && existsSync(report.status_page.html)).toBe(true);
    // The report npm start writes stays readable: under 2 MB (each export body once, write times apart).
    expect(Buffer.byteLength(`${JSON.stringify(report, null, 2)}\n`)).toBeLessThan(2_000_000);
  }, 600_000);
});
