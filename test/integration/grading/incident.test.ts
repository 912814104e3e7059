import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLiveGradingExportHandler } from '../../../functions/liveGradingExport/handler.js';
import type { Alert } from '../../../shared/messages/alert.js';
import { incidentSlate, loadSlate } from '../../support/slate.js';
import { gradingHarness, tickEvent } from './harness.js';

/**
 * 2026-01-18 as the incident report saw it: 1,680 predictions, 57 players, 6
 * systems; the production system 9 of 48. The final run at 07:30 ET the next
 * morning grades YESTERDAY.
 */
describe('the 2026-01-18 picture, graded by the final run', async () => {
  const harness = await gradingHarness('2026-01-19T12:30:00Z');
  const slate = incidentSlate();
  const handle = makeLiveGradingExportHandler(async () => harness.deps);
  let alerts: Alert[] = [];
  let resolvedKeys: string[] = [];

  beforeAll(async () => {
    await loadSlate(harness.warehouse, slate.tables);
    await handle(tickEvent({ job: 'live-grading-final', scheduled_for: '2026-01-19T12:30:00Z' }));
    // the feed carries raised alerts and the resolutions of conditions that do not hold
    const feed = await harness.alertFeed.drain();
    alerts = feed
      .filter((message) => message.attributes.kind === 'alert')
      .map((message) => message.data as Alert);
    resolvedKeys = feed
      .filter((message) => message.attributes.kind === 'resolved')
      .map((message) => (message.data as { key: string }).key);
  }, 120_000);
  afterAll(() => harness.close());

  it('starts from the incident figures', () => {
    const predictions = slate.tables['nba_predictions.player_prop_predictions']!;
    expect(predictions).toHaveLength(1680);
    expect(new Set(predictions.map((row) => row.player_lookup)).size).toBe(57);
    expect(new Set(predictions.map((row) => row.system_id)).size).toBe(6);
  });

  it('writes {date}.json and latest.json with the cache header the site expects', async () => {
    const dated = await harness.readExport('2026-01-18.json');
    const latest = await harness.readExport('latest.json');
    expect(dated?.cacheControl).toBe('public, max-age=30');
    expect(dated?.contentType).toBe('application/json');
    expect(latest?.body).toBe(dated?.body);
    expect(dated?.document.game_date).toBe('2026-01-18');
    expect(dated?.document.updated_at).toBe('2026-01-19T12:30:00.000Z');
  });

  it('keeps the incumbent summary: 9 of 48 for the production system, one row per player', async () => {
    const { document } = (await harness.readExport('2026-01-18.json'))!;
    expect(document.summary).toMatchObject({ total_predictions: 57, graded: 48, correct: 9, incorrect: 39 });
    expect(document.summary.win_rate).toBeCloseTo(9 / 48, 4);
    expect(document.summary.games_final).toBe(4);
    expect(document.summary.games_in_progress).toBe(0);
    expect(document.predictions).toHaveLength(57);
    expect(new Set(document.predictions.map((row) => row.player_lookup)).size).toBe(57);
    expect(document.predictions.every((row) => row.system_id === 'catboost_v8')).toBe(true);
  });

  it('reports every system with its interval and verdict against its own 14-day baseline', async () => {
    const { document } = (await harness.readExport('2026-01-18.json'))!;
    expect(document.systems.map((system) => system.system_id).sort()).toEqual([...slate.systems].sort());
    for (const system of document.systems) {
      expect(system.baseline?.accuracy).toBeCloseTo(slate.historyAccuracy[system.system_id]!, 3);
      expect(system.baseline).toMatchObject({ days: 14, from: '2026-01-04', to: '2026-01-17' });
      if (system.verdict === 'below_baseline')
        expect(system.accuracy_interval!.high).toBeLessThan(system.baseline!.accuracy);
      else expect(system.accuracy_interval!.high).toBeGreaterThanOrEqual(system.baseline!.accuracy);
      expect(system.correct + system.incorrect + system.pushes).toBe(system.graded);
    }
    const production = document.systems.find((system) => system.is_production)!;
    expect(production.system_id).toBe('catboost_v8');
    expect(production.accuracy_interval!.low).toBeLessThan(9 / 48);
    expect(production.accuracy_interval!.high).toBeGreaterThan(9 / 48);
    expect(production.verdict).toBe('below_baseline');
    expect(production.verdict_reason).toContain('9 of 48');
    expect(document.overall).toMatch(/catboost_v8 is 9 of 48 \(18\.8%, 95% CI \d+\.\d%-\d+\.\d%\)/);
    expect(document.overall).toMatch(/beyond chance/);
  });

  it('counts pushes, voids and skipped picks apart from misses', async () => {
    const { document } = (await harness.readExport('2026-01-18.json'))!;
    const withPushes = document.systems.filter((system) => system.pushes > 0);
    expect(withPushes.length).toBeGreaterThan(0);
    for (const system of document.systems) {
      expect(system.voided).toBeGreaterThan(0);
      expect(system.total).toBe(57);
    }
    const reasons = new Set(document.predictions.map((row) => row.reason));
    for (const reason of [
      'placeholder_line',
      'did_not_play',
      'no_box_score',
      'zero_minutes_zero_points',
      'pass',
    ])
      expect(reasons).toContain(reason);
  });

  it('alerts on the production system below its baseline, and resolves (not raises) the 30% floor the interval does not clear', () => {
    const keys = alerts.map((alert) => alert.key);
    expect(keys).toEqual(['grading_below_baseline:catboost_v8:2026-01-18']);
    expect(resolvedKeys).toContain('grading_below_baseline:catboost_v8:floor:2026-01-18');
    expect(resolvedKeys).not.toContain('grading_below_baseline:catboost_v8:2026-01-18');
    const alert = alerts.find(
      (candidate) => candidate.key === 'grading_below_baseline:catboost_v8:2026-01-18',
    )!;
    expect(alert.rule).toBe('grading_below_baseline');
    expect(alert.message).toContain('9 of 48');
  });

  it('writes an export that validates against the checked-in JSON Schema', async () => {
    const schema = JSON.parse(
      await readFile(
        new URL('../../../schemas/grading-export.LiveGradingExport.schema.json', import.meta.url),
        'utf8',
      ),
    );
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const { body } = (await harness.readExport('latest.json'))!;
    expect(validate(JSON.parse(body)), ajv.errorsText(validate.errors)).toBe(true);
    const broken = { ...JSON.parse(body), summary: { ...JSON.parse(body).summary, win_rate: 18.75 } };
    expect(validate(broken)).toBe(false);
  });
});
