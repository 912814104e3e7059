import { randomUUID } from 'node:crypto';
import type { SimulatedClock } from '../../../shared/adapters/clocks.js';
import { DuckDbWarehouse } from '../../../shared/adapters/duckdb.warehouse.js';
import type { PipelineConfig } from '../../../shared/config/schema.js';
import type { Logger } from '../../../shared/logging/logger.js';
import { alertSinkFor } from '../../../shared/runtime/alerts.js';
import type { AlertMonitorDependencies } from '../../../functions/alertMonitor/handler.js';
import { emulatorBus, emulatorPubSub, emulatorStateStore } from '../../support/backends.js';

/** The CloudEvent Pub/Sub push delivers for a message on `topic`. */
export function pubsubEvent(topic: string, data: unknown, attributes: Record<string, string> = {}) {
  const id = randomUUID();
  return {
    id,
    source: `//pubsub.googleapis.com/projects/demo-test/topics/${topic}`,
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    data: {
      message: {
        data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64'),
        attributes,
        messageId: id,
      },
    },
  };
}

export async function monitorDependencies(options: {
  projectId: string;
  config: PipelineConfig;
  clock: SimulatedClock;
  logger: Logger;
  slackWebhookUrl?: string;
}): Promise<AlertMonitorDependencies & { warehouse: DuckDbWarehouse }> {
  // The alerts topic exists in every deployment (the topology creates it); notices go there first.
  await emulatorPubSub(options.projectId).topic(options.config.topics.alerts).get({ autoCreate: true });
  const base = {
    config: options.config,
    clock: options.clock,
    logger: options.logger,
    state: emulatorStateStore(options.projectId),
    bus: emulatorBus(options.projectId),
  };
  return {
    ...base,
    projectId: options.projectId,
    warehouse: await DuckDbWarehouse.open(':memory:'),
    alerts: alertSinkFor(base, options.slackWebhookUrl ? { slackWebhookUrl: options.slackWebhookUrl } : {}),
  };
}

/** `games` scheduled games on `gameDate`. */
export async function scheduleGames(warehouse: DuckDbWarehouse, gameDate: string, games: number) {
  await warehouse.insert(
    'nba_raw.nbac_schedule',
    Array.from({ length: games }, (_, i) => ({
      game_id: `${gameDate.replace(/-/g, '')}_${i}`,
      game_date: gameDate,
      home_team_tricode: 'HOM',
      away_team_tricode: 'AWY',
      game_status: 1,
    })),
  );
}

/** `count` active predictions for `gameDate`, created at `createdAt`. */
export async function insertPredictions(
  warehouse: DuckDbWarehouse,
  gameDate: string,
  count: number,
  createdAt: string,
  offset = 0,
) {
  const systems = [
    'catboost_v8',
    'ensemble_v1',
    'xgboost_v1',
    'moving_average',
    'zone_matchup_v1',
    'similarity_balanced_v1',
  ];
  await warehouse.insert(
    'nba_predictions.player_prop_predictions',
    Array.from({ length: count }, (_, n) => {
      const i = n + offset;
      return {
        prediction_id: `p${i}`,
        system_id: systems[i % systems.length],
        player_lookup: `player${Math.floor(i / systems.length)}`,
        game_date: gameDate,
        game_id: 'g1',
        prediction_version: 1,
        predicted_points: 20 + (i % 10),
        confidence_score: 60,
        recommendation: i % 2 ? 'OVER' : 'UNDER',
        current_points_line: 21.5,
        line_source: 'odds_api',
        is_active: true,
        created_at: new Date(createdAt),
      };
    }),
  );
}
