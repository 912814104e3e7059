import { Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { FIRESTORE_TTL_POLICIES, TTL_FIELD } from '../../../infra/firestore-ttl.js';
import { ALERT_GROUPS_COLLECTION, ALERTS_COLLECTION } from '../../../shared/adapters/dedup.alert-sink.js';
import { FirestoreStateStore } from '../../../shared/adapters/firestore.state-store.js';
import { CHECK_RETENTION_DAYS, checkExpiry } from '../../../shared/domain/record-count.js';
import { alertSinkFor } from '../../../shared/runtime/alerts.js';
import { CHECKS } from '../../../functions/recordCountCheck/state.js';
import { emulatorBus, emulatorFirestore, emulatorPubSub, freshProjectId } from '../../support/backends.js';
import { alertFor, capturedLogger, clockAt, testConfig } from '../alerts/alert-fixtures.js';

/**
 * Every document kind shotclock writes that grows by the day. A new kind
 * belongs here and in `infra/firestore-ttl.ts`, or the deploy never cleans it.
 */
const DAILY_KINDS = [ALERTS_COLLECTION, ALERT_GROUPS_COLLECTION, 'shotclock_outbox', CHECKS];

describe('nothing left behind: TTL on every document kind that grows daily', () => {
  it('declares a TTL policy on expire_at for each kind', () => {
    const declared = new Map(FIRESTORE_TTL_POLICIES.map((policy) => [policy.collection, policy]));
    for (const kind of DAILY_KINDS) {
      expect(declared.get(kind), kind).toMatchObject({ field: TTL_FIELD });
      expect(declared.get(kind)!.retention_days, kind).toBeGreaterThanOrEqual(14);
    }
  });

  it('alert conditions, groups and deliveries carry expire_at as a Firestore Timestamp in the future', async () => {
    const projectId = freshProjectId('ttl-alerts');
    const clock = clockAt('2026-01-18T02:00:00Z');
    const config = testConfig();
    await emulatorPubSub(projectId).createTopic(config.topics.alerts);
    const db = emulatorFirestore(projectId);
    const sink = alertSinkFor({
      config,
      clock,
      logger: capturedLogger().logger,
      state: new FirestoreStateStore(db),
      bus: emulatorBus(projectId),
    });
    await sink.raise(alertFor('phase_completion_low', 'phase2', '2026-01-18', clock));
    clock.advance(5 * 60_000);
    await sink.flush();
    for (const kind of [ALERTS_COLLECTION, ALERT_GROUPS_COLLECTION, 'shotclock_outbox']) {
      const documents = (await db.collection(kind).get()).docs;
      expect(documents.length, kind).toBeGreaterThan(0);
      for (const document of documents) {
        const expireAt = document.get(TTL_FIELD);
        expect(expireAt, `${kind}/${document.id}`).toBeInstanceOf(Timestamp);
        expect((expireAt as Timestamp).toMillis()).toBeGreaterThan(clock.now().getTime() + 13 * 86_400_000);
      }
    }
    // The port still reads it back as ISO 8601, like every other time.
    const [condition] = await new FirestoreStateStore(db).list(ALERTS_COLLECTION);
    expect(condition?.data[TTL_FIELD]).toMatch(/^2026-02-17T/);
  });

  it('record-count checks expire a retention period after their game date', () => {
    expect(CHECK_RETENTION_DAYS).toBe(30);
    expect(checkExpiry('2026-01-18')).toBe('2026-02-17T00:00:00.000Z');
  });
});
