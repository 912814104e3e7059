import { describe, expect, it } from 'vitest';
import { ConfigError, loadPipelineConfig } from '../../../shared/config/load.js';
import { downstreamActions } from '../../../shared/runtime/downstream.js';

function problemsOf(override: unknown): string[] {
  try {
    loadPipelineConfig(override);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('downstream actions and the outbox policy in the config', () => {
  it('by default, predictions start through the coordinator’s /start and re-runs go to /process-date-range', () => {
    const config = loadPipelineConfig();
    const start = downstreamActions(config, config.downstream.predictions, {
      body: { game_date: '2026-01-18', correlation_id: 'c', trigger_source: 'freshness_gate' },
      message: { topic: config.freshness_gate.output_topic, data: {} },
    });
    expect(start).toEqual([
      {
        kind: 'http',
        target: 'prediction_coordinator',
        method: 'POST',
        url: 'https://prediction-coordinator-f7p3g7f6ya-wl.a.run.app/start',
        body: { game_date: '2026-01-18', correlation_id: 'c', trigger_source: 'freshness_gate' },
        // the incumbent's fetch_id_token(auth_req, PREDICTION_COORDINATOR_URL)
        audience: 'https://prediction-coordinator-f7p3g7f6ya-wl.a.run.app',
        done_statuses: [409],
      },
      { kind: 'publish', topic: 'nba-predictions-trigger', data: {} },
    ]);
    const rerun = downstreamActions(config, config.downstream.phase3_rerun, {
      body: {},
      message: { topic: config.record_count.rerun_topic, data: {} },
    });
    expect(rerun.map((action) => (action.kind === 'http' ? action.url : action.topic))).toEqual([
      'https://nba-phase3-analytics-processors-f7p3g7f6ya-wl.a.run.app/process-date-range',
      'nba-phase3-trigger',
    ]);
    const phase3 = config.phases.find((phase) => phase.id === 'phase3')!;
    expect(phase3.processors.map((processor) => processor.class_name)).toEqual([
      'PlayerGameSummaryProcessor',
      'TeamOffenseGameSummaryProcessor',
      'TeamDefenseGameSummaryProcessor',
      'UpcomingPlayerGameContextProcessor',
      'UpcomingTeamGameContextProcessor',
    ]);
  });

  it('an action naming a service that is not configured is refused, by path', () => {
    expect(
      problemsOf({ downstream: { predictions: [{ kind: 'http', service: 'coordinator', path: '/start' }] } }),
    ).toEqual([
      'downstream.predictions.0.service: no service "coordinator" in downstream.services (known: prediction_coordinator, analytics_service)',
    ]);
  });

  it('refuses unknown fields, a URL that is not http(s), and an action timeout that would outlive the lease', () => {
    const problems = problemsOf({
      downstream: { services: { prediction_coordinator: { url: 'ftp://x', token: 'y' } } },
      outbox: { action_timeout_seconds: 90, lease_seconds: 120 },
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/downstream\.services\.prediction_coordinator.*token/);
    expect(problems.join('\n')).toMatch(/downstream\.services\.prediction_coordinator\.url/);
    expect(problems.join('\n')).toMatch(
      /outbox\.action_timeout_seconds: must be at most half of lease_seconds \(120\)/,
    );
  });

  it('lets a pipeline re-run through the topic alone', () => {
    const config = loadPipelineConfig({ downstream: { phase3_rerun: [{ kind: 'publish' }] } });
    expect(config.downstream.phase3_rerun).toEqual([{ kind: 'publish' }]);
  });
});
