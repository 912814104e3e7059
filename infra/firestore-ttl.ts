import {
  type CollectionRole,
  DEFAULT_COLLECTIONS,
  type StateCollections,
} from '../shared/config/collections.js';

/**
 * Firestore TTL policies, as data: every document kind shotclock writes that
 * grows by the day carries a top-level `expire_at` (stored as a Firestore
 * Timestamp by the state-store adapter, which is what a TTL policy needs), and
 * deploy enables a TTL policy on that field for each collection group listed
 * here (`gcloud firestore fields ttls update expire_at --collection-group=...
 * --enable-ttl`). Firestore deletes an expired document within about a day.
 *
 * Processed-message records are not a kind of their own: the message ids a
 * function has handled live inside the documents above (a check's
 * `last_check.message_id`, an outbox entry's id), so they go with them.
 *
 * Not listed on purpose: the per-date phase documents in the incumbent's
 * layout (`phase2_completion`, `phase3_completion`, ...), which the
 * incumbent's dashboards and tools read; shotclock does not delete them.
 */
export const TTL_FIELD = 'expire_at';

export interface FirestoreTtlPolicy {
  /** the collection group the policy applies to: the config's name for `role` */
  collection: string;
  /** which of shotclock's collections (`collections.<role>` in the pipeline config) */
  role: CollectionRole;
  field: typeof TTL_FIELD;
  /** how long after its last write a document is kept (what the writer puts in `expire_at`) */
  retention_days: number;
  /** who writes the documents and `expire_at` */
  written_by: string;
}

const RETENTION: ReadonlyArray<Omit<FirestoreTtlPolicy, 'collection' | 'field'>> = [
  { role: 'alerts', retention_days: 30, written_by: 'alert sink' },
  { role: 'alert_groups', retention_days: 30, written_by: 'alert sink' },
  { role: 'outbox', retention_days: 14, written_by: 'outbox (triggers, re-run requests, alert notices)' },
  { role: 'monitoring_incidents', retention_days: 14, written_by: 'alertMonitor (worker-error incidents)' },
  { role: 'record_count_checks', retention_days: 30, written_by: 'recordCountCheck' },
  {
    role: 'record_count_history',
    retention_days: 60,
    written_by: 'recordCountCheck (the baseline reads 14 days)',
  },
  { role: 'freshness_gate', retention_days: 60, written_by: 'freshnessGate' },
  { role: 'grading_export_watch', retention_days: 7, written_by: 'liveGradingExport' },
];

/** The TTL policies for the collections as the pipeline config names them (`collections`). */
export function firestoreTtlPolicies(collections: StateCollections): FirestoreTtlPolicy[] {
  return RETENTION.map((policy) => ({ ...policy, collection: collections[policy.role], field: TTL_FIELD }));
}

/** The policies under the default collection names. */
export const FIRESTORE_TTL_POLICIES: readonly FirestoreTtlPolicy[] = Object.freeze(
  firestoreTtlPolicies(DEFAULT_COLLECTIONS),
);
