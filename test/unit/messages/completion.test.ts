import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { isPlausibleGameDate } from '../../../shared/domain/calendar.js';
import { CompletionMessage, isCompleted } from '../../../shared/messages/completion.js';
import { identifyProcessor, normaliseProcessorName } from '../../../shared/messages/processor-name.js';
import { decodeJson, MAX_MESSAGE_BYTES, receivedMessage } from '../../../shared/messages/pubsub-event.js';
import {
  completionCloudEvent,
  HOSTILE_COMPLETIONS,
  HOSTILE_NOW,
} from '../../fixtures/hostile-completions.js';

const decode = (value: unknown) => decodeJson(Buffer.from(JSON.stringify(value)), CompletionMessage);

describe('normaliseProcessorName', () => {
  it.each([
    ['AsyncUpcomingPlayerGameContextProcessor', 'upcoming_player_game_context'],
    ['UpcomingTeamGameContextProcessor', 'upcoming_team_game_context'],
    ['PlayerGameSummaryProcessor', 'player_game_summary'],
    ['MLFeatureStoreProcessor', 'ml_feature_store'],
    ['NbacScheduleProcessor', 'nbac_schedule'],
    ['NBACScheduleProcessor', 'nbac_schedule'],
    ['upcomingPlayerGameContext', 'upcoming_player_game_context'],
    ['player_game_summary', 'player_game_summary'],
    ['ml_feature_store', 'ml_feature_store'],
    ['nbac_schedule', 'nbac_schedule'],
    ['player_game_summary_processor', 'player_game_summary'],
    ['  player_game_summary  ', 'player_game_summary'],
    ['Player Game Summary', 'player_game_summary'],
    // `Async` is only a prefix when a word follows it
    ['Asynchronous', 'asynchronous'],
    ['AsyncProcessor', ''],
    ['Processor', ''],
    // the suffix goes only at the end
    ['ProcessorHealthCheck', 'processor_health_check'],
  ])('%j -> %j', (raw, expected) => {
    expect(normaliseProcessorName(raw)).toBe(expected);
  });

  it('maps every class name of the default pipeline to a configured processor', () => {
    const config = loadPipelineConfig();
    for (const processor of config.phases.flatMap((phase) => phase.processors)) {
      const className = `Async${processor.name.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase())}Processor`;
      expect(normaliseProcessorName(className)).toBe(processor.name);
    }
  });
});

describe('identifyProcessor: every name the incumbent sends maps to one configured processor', () => {
  const config = loadPipelineConfig();
  const phase = (id: string) => config.phases.find((candidate) => candidate.id === id)!.processors;
  it.each([
    // Phase 2: class names its raw processors publish, mapped to its own p2_* names
    ['phase2', 'NbacGamebookProcessor', 'nba_raw.nbac_gamebook_player_stats', 'p2_nbacom_gamebook_pdf'],
    ['phase2', 'NbacPlayerBoxscoreProcessor', 'nbac_player_boxscores', 'p2_nbacom_boxscores'],
    ['phase2', 'NbacTeamBoxscoreProcessor', 'nba_raw.nbac_team_boxscore', 'p2_nbacom_boxscores'],
    ['phase2', 'OddsApiGameLinesBatchProcessor', 'nba_raw.odds_api_game_lines', 'p2_odds_game_lines'],
    ['phase2', 'OddsApiPropsBatchProcessor', 'nba_raw.odds_api_player_points_props', 'p2_odds_player_props'],
    ['phase2', 'BigDataBallPbpProcessor', 'nba_raw.bigdataball_play_by_play', 'p2_bigdataball_pbp'],
    ['phase2', 'p2_nbacom_gamebook_pdf', undefined, 'p2_nbacom_gamebook_pdf'],
    ['phase2', 'NbacScheduleProcessor', 'nba_raw.nbac_schedule', 'nbac_schedule'],
    ['phase2', 'BasketballRefRosterProcessor', 'br_rosters_current', 'br_rosters_current'],
    ['phase2', 'EspnScoreboardProcessor', 'nba_raw.espn_scoreboard', 'espn_scoreboard'],
    // the table name alone (output_table as the fallback)
    ['phase2', 'SomeRenamedProcessor', 'nba_raw.odds_api_game_lines', 'p2_odds_game_lines'],
    [
      'phase3',
      'AsyncUpcomingPlayerGameContextProcessor',
      'upcoming_player_game_context',
      'upcoming_player_game_context',
    ],
    ['phase3', 'TeamDefenseGameSummaryProcessor', 'team_defense_game_summary', 'team_defense_game_summary'],
    ['phase4', 'MLFeatureStoreProcessor', 'ml_feature_store_v2', 'ml_feature_store'],
    ['phase4', 'PlayerDailyCacheProcessor', 'player_daily_cache', 'player_daily_cache'],
  ])('%s: %s (%s) -> %s', (phaseId, reported, table, expected) => {
    expect(identifyProcessor(phase(phaseId), reported, table)?.name).toBe(expected);
  });

  it.each([
    ['phase3', 'DefenseZoneAnalyticsProcessor', 'defense_zone_analytics'],
    ['phase2', 'MlbScheduleProcessor', 'mlb_raw.mlb_schedule'],
    ['phase3', 'PlayerGameSummaryProcessor2', undefined],
  ])('%s: %s is nobody', (phaseId, reported, table) => {
    expect(identifyProcessor(phase(phaseId), reported, table)).toBeUndefined();
  });
});

describe('CompletionMessage', () => {
  it('keeps every field of the reference message', () => {
    const message = {
      processor_name: 'AsyncUpcomingPlayerGameContextProcessor',
      phase: 'phase_3_analytics',
      execution_id: 'e-1',
      correlation_id: 'c-1',
      game_date: '2026-01-18',
      output_table: 'upcoming_player_game_context',
      output_dataset: 'nba_analytics',
      status: 'partial',
      record_count: 1,
      records_failed: 155,
      timestamp: '2026-01-17T22:02:00.123Z',
      duration_seconds: 12.5,
      parent_processor: 'Phase3Orchestrator',
      trigger_source: 'scheduler',
      trigger_message_id: 'm-9',
      error_message: 'lines not out yet',
      error_type: 'PartialData',
      metadata: { is_incremental: true, entities_changed: ['lebronjames'] },
    };
    expect(decode(message)).toEqual({
      ok: true,
      value: {
        ...message,
        processor_name: 'upcoming_player_game_context',
        reported_name: 'AsyncUpcomingPlayerGameContextProcessor',
      },
    });
  });

  it('normalises the legacy shape to the current one', () => {
    expect(
      decode({
        processor: 'PlayerGameSummaryProcessor',
        data_date: '2026-01-17',
        status: 'success',
        records_created: 240,
      }),
    ).toEqual({
      ok: true,
      value: {
        processor_name: 'player_game_summary',
        reported_name: 'PlayerGameSummaryProcessor',
        game_date: '2026-01-17',
        status: 'success',
        record_count: 240,
        metadata: { legacy_shape: true },
      },
    });
  });

  it('drops null fields instead of refusing them', () => {
    expect(
      decode({
        processor_name: 'player_game_summary',
        game_date: '2026-01-17',
        status: 'success',
        record_count: null,
        error_message: null,
        metadata: null,
      }),
    ).toEqual({
      ok: true,
      value: {
        processor_name: 'player_game_summary',
        reported_name: 'player_game_summary',
        game_date: '2026-01-17',
        status: 'success',
      },
    });
  });

  it.each([
    ['success', true],
    ['partial', true],
    ['no_data', false],
    ['failed', false],
    ['skipped', false],
  ] as const)('status %s is accepted; counts as completed: %s', (status, completed) => {
    const decoded = decode({ processor_name: 'player_game_summary', game_date: '2026-01-17', status });
    expect(decoded.ok && decoded.value.status).toBe(status);
    expect(decoded.ok && isCompleted(decoded.value)).toBe(completed);
  });

  it('names every wrong field in one reason', () => {
    expect(
      decode({
        processor_name: 'player_game_summary',
        game_date: '2026-02-30',
        status: 'done',
        record_count: -3,
      }),
    ).toEqual({
      ok: false,
      reason:
        'game_date: not a calendar date; status: Invalid option: expected one of "success"|"partial"|"no_data"|"failed"|"skipped"; record_count: Too small: expected number to be >=0',
    });
  });
});

describe('decoding a Pub/Sub CloudEvent', () => {
  const topic = 'nba-phase3-analytics-complete';

  it('base64 -> JSON -> schema gives a typed completion, with the message id and topic', () => {
    const event = completionCloudEvent(HOSTILE_COMPLETIONS[1]!, topic, 'msg-1');
    const received = receivedMessage(event);
    expect(received.ok && received.value.messageId).toBe('msg-1');
    expect(received.ok && received.value.topic).toBe(topic);
    const decoded = received.ok ? decodeJson(received.value.data, CompletionMessage) : received;
    expect(decoded).toMatchObject({
      ok: true,
      value: { processor_name: 'upcoming_player_game_context', game_date: '2026-01-18', status: 'success' },
    });
  });

  it('an event that is not a Pub/Sub message is a permanent error, not a crash', () => {
    expect(receivedMessage({ id: 'x', data: 'hello' })).toEqual({
      ok: false,
      reason: 'event is not a Pub/Sub message (no `message` object)',
    });
    expect(receivedMessage({ id: 'x' })).toMatchObject({ ok: false });
  });

  it('a message just under the size limit is parsed, one byte over is refused', () => {
    const message = {
      processor_name: 'player_game_summary',
      game_date: '2026-01-17',
      status: 'failed',
      metadata: { pad: '' },
    };
    const room = MAX_MESSAGE_BYTES - Buffer.byteLength(JSON.stringify(message));
    const fits = Buffer.from(JSON.stringify({ ...message, metadata: { pad: 'x'.repeat(room) } }));
    expect(fits.length).toBe(MAX_MESSAGE_BYTES);
    expect(decodeJson(fits, CompletionMessage).ok).toBe(true);
    const over = Buffer.concat([fits, Buffer.from(' ')]);
    expect(decodeJson(over, CompletionMessage)).toEqual({
      ok: false,
      reason: `message data is ${MAX_MESSAGE_BYTES + 1} bytes, over the ${MAX_MESSAGE_BYTES} limit`,
    });
  });
});

describe('the hostile completions corpus', () => {
  it('has at least 30 entries with distinct names', () => {
    expect(HOSTILE_COMPLETIONS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(HOSTILE_COMPLETIONS.map((entry) => entry.name)).size).toBe(HOSTILE_COMPLETIONS.length);
  });

  const configured = new Set(
    loadPipelineConfig()
      .phases.flatMap((phase) => phase.processors)
      .map((processor) => processor.name),
  );

  it.each(HOSTILE_COMPLETIONS.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
    const event = completionCloudEvent(entry, 'nba-phase3-analytics-complete');
    const received = receivedMessage(event);
    if (!received.ok) throw new Error(received.reason);
    const decoded = decodeJson(received.value.data, CompletionMessage);
    if (!entry.expect.ok) {
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.reason).toContain(entry.expect.reasonIncludes);
    } else {
      if (!decoded.ok) throw new Error(`refused: ${decoded.reason}`);
      expect(decoded.value.processor_name).toBe(entry.expect.processor_name);
      if (entry.expect.status) expect(decoded.value.status).toBe(entry.expect.status);
      expect(configured.has(decoded.value.processor_name)).toBe(!entry.expect.unknownProcessor);
      expect(isPlausibleGameDate(decoded.value.game_date, HOSTILE_NOW, 30)).toBe(
        entry.expect.plausibleAt ?? true,
      );
      // nothing leaked onto prototypes
      expect(Object.getPrototypeOf(decoded.value)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((decoded.value as Record<string, unknown>).polluted).toBeUndefined();
      expect((decoded.value.metadata as Record<string, unknown> | undefined)?.polluted).toBeUndefined();
    }
  });
});
