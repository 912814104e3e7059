import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import {
  handleWorkerErrorIncident,
  INCIDENTS_COLLECTION,
} from '../../../functions/alertMonitor/worker-error-incident.js';
import { GATE_COLLECTION } from '../../../functions/freshnessGate/gate-state.js';
import {
  checkExportStaleness,
  EXPORT_WATCH_COLLECTION,
} from '../../../functions/liveGradingExport/check-staleness.js';
import { CHECKS, HISTORY } from '../../../functions/recordCountCheck/state.js';
import { FIRESTORE_TTL_POLICIES, TTL_FIELD } from '../../../infra/firestore-ttl.js';
import { ALERT_GROUPS_COLLECTION, ALERTS_COLLECTION } from '../../../shared/adapters/dedup.alert-sink.js';
import { DuckDbWarehouse } from '../../../shared/adapters/duckdb.warehouse.js';
import { FirestoreStateStore } from '../../../shared/adapters/firestore.state-store.js';
import { FolderObjectStore } from '../../../shared/adapters/folder.object-store.js';
import { CHECK_RETENTION_DAYS, checkExpiry } from '../../../shared/domain/record-count.js';
import { alertSinkFor } from '../../../shared/runtime/alerts.js';
import { OUTBOX } from '../../../shared/runtime/outbox.js';
import { emulatorBus, emulatorFirestore, emulatorPubSub, freshProjectId } from '../../support/backends.js';
import { alertFor, capturedLogger, clockAt, testConfig } from '../alerts/alert-fixtures.js';
import { gateHarness, goodDay, scheduleGames } from '../freshness-gate/harness.js';
import { recordCountWorld } from '../record-count/world.js';

/**
 * Every document kind shotclock writes that grows by the day, and who writes
 * it. A new kind belongs here and in `infra/firestore-ttl.ts` (which deploy
 * applies), or nothing ever deletes it. Outbox entries cover every outbound
 * effect: triggers, re-run requests and alert-notice deliveries alike.
 */
const DAILY_KINDS = [
  ALERTS_COLLECTION, // alert conditions
  ALERT_GROUPS_COLLECTION, // what people were told per date
  OUTBOX, // triggers, re-run requests, alert-notice deliveries
  INCIDENTS_COLLECTION, // Monitoring incidents seen
  CHECKS, // record-count checks and their retry series
  HISTORY, // record-count history (the baseline)
  GATE_COLLECTION, // gate decisions
  EXPORT_WATCH_COLLECTION, // grading export watch
].sort();

/** Every document of `kind` carries `expire_at` as a Firestore Timestamp, at least `days` after `after`. */
async function expectExpiry(projectId: string, kind: string, after: Date, days: number) {
  const documents = (await emulatorFirestore(projectId).collection(kind).get()).docs;
  expect(documents.length, `${kind}: nothing written`).toBeGreaterThan(0);
  for (const document of documents) {
    const expireAt = document.get(TTL_FIELD);
    expect(expireAt, `${kind}/${document.id}`).toBeInstanceOf(Timestamp);
    expect((expireAt as Timestamp).toMillis(), `${kind}/${document.id}`).toBeGreaterThanOrEqual(
      after.getTime() + days * 86_400_000 - 86_400_000,
    );
  }
}

describe('nothing left behind: TTL on every document kind that grows daily', () => {
  it('declares a TTL policy on expire_at for exactly these kinds', () => {
    expect(FIRESTORE_TTL_POLICIES.map((policy) => policy.collection).sort()).toEqual(DAILY_KINDS);
    for (const policy of FIRESTORE_TTL_POLICIES) expect(policy.field).toBe(TTL_FIELD);
  });

  it('alert conditions, groups, notice deliveries and Monitoring incidents, as the alert code writes them', async () => {
    const projectId = freshProjectId('ttl-alerts');
    const clock = clockAt('2026-01-18T02:00:00Z');
    const config = testConfig();
    await emulatorPubSub(projectId).createTopic(config.topics.alerts);
    const state = new FirestoreStateStore(emulatorFirestore(projectId));
    const logger = capturedLogger().logger;
    const sink = alertSinkFor({ config, clock, logger, state, bus: emulatorBus(projectId) });
    await sink.raise(alertFor('phase_completion_low', 'phase2', '2026-01-18', clock));
    clock.advance(5 * 60_000);
    await sink.flush();
    await handleWorkerErrorIncident(
      { config, alerts: sink, clock, logger, state },
      {
        messageId: 'm-1',
        topic: config.topics.monitoring_incidents,
        attributes: {},
        publishTime: clock.now().toISOString(),
        data: Buffer.from(
          JSON.stringify({
            version: '1.2',
            incident: {
              incident_id: '0.abc',
              policy_name: 'shotclock: prediction-worker errors over 5 in 5 min',
              state: 'open',
              started_at: clock.now().getTime() / 1000,
              summary: 'above the threshold',
              resource: { type: 'cloud_run_revision', labels: { service_name: 'prediction-worker' } },
            },
          }),
        ),
      },
    );
    for (const kind of [ALERTS_COLLECTION, ALERT_GROUPS_COLLECTION, OUTBOX, INCIDENTS_COLLECTION])
      await expectExpiry(projectId, kind, clock.now(), 14);
    // The port still reads it back as ISO 8601, like every other time.
    const [condition] = await state.list(ALERTS_COLLECTION);
    expect(condition?.data[TTL_FIELD]).toMatch(/^2026-02-17T/);
  });

  it('record-count checks, their history and re-run requests, as recordCountCheck writes them', async () => {
    const world = await recordCountWorld({ start: '2026-01-17T16:55:00' });
    try {
      await world.scheduleGames('2026-01-17', 6);
      world.at('2026-01-17T17:00:00');
      await world.writeRows('2026-01-17', 1);
      await world.completion({ game_date: '2026-01-17', record_count: 1 });
      await world.ticksUntil('2026-01-17T17:35:00');
      for (const kind of [CHECKS, HISTORY, OUTBOX])
        await expectExpiry(world.projectId, kind, new Date('2026-01-17T00:00:00Z'), 14);
    } finally {
      await world.close();
    }
    expect(CHECK_RETENTION_DAYS).toBe(30);
    expect(checkExpiry('2026-01-18')).toBe('2026-02-17T00:00:00.000Z');
  });

  it('gate decisions, as the freshness gate writes them', async () => {
    const harness = await gateHarness('2026-01-17T17:45:00-05:00');
    try {
      await goodDay(harness.duckdb, '2026-01-18', 6, '2026-01-17T17:30:00-05:00');
      await harness.gateJob();
      await expectExpiry(harness.projectId, GATE_COLLECTION, new Date('2026-01-18T00:00:00Z'), 30);
    } finally {
      await harness.close();
    }
  });

  it('the grading export watch, as liveGradingExport writes it', async () => {
    const projectId = freshProjectId('ttl-grading');
    const clock = clockAt('2026-01-19T01:00:00Z'); // 20:00 ET, games in progress, no latest.json yet
    const config = testConfig();
    const warehouse = await DuckDbWarehouse.open(':memory:');
    const folder = await mkdtemp(join(tmpdir(), 'shotclock-ttl-'));
    try {
      await scheduleGames(warehouse, '2026-01-18', 3);
      await warehouse.query('UPDATE nba_raw.nbac_schedule SET game_status = 2', {});
      const state = new FirestoreStateStore(emulatorFirestore(projectId));
      await checkExportStaleness({
        config,
        clock,
        logger: capturedLogger().logger,
        warehouse,
        objects: new FolderObjectStore(folder),
        alerts: { raise: async () => undefined, resolve: async () => undefined },
        state,
      });
      await expectExpiry(projectId, EXPORT_WATCH_COLLECTION, clock.now(), 6);
    } finally {
      warehouse.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
