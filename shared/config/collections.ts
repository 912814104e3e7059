/**
 * The Firestore collections shotclock keeps its own state in, by what they hold, with their
 * default names. A pipeline config renames any of them under `collections`; the phases' own
 * per-date documents live in each transition's `state_collection` instead.
 *
 * Code addresses these documents by the default name (`shotclock_outbox/<id>`), and the state
 * store the functions are handed (`namedCollections`) reads and writes them in the collection the
 * loaded config names, so every function, the status page, the local stack and the deploy's TTL
 * policies follow one setting.
 */
export const DEFAULT_COLLECTIONS = Object.freeze({
  /** one document per alert condition (open or resolved), deduplicated */
  alerts: 'shotclock_alerts',
  /** one document per notice group (pipeline date): what was sent, when the next reminder is due */
  alert_groups: 'shotclock_alert_groups',
  /** triggers, re-run requests and alert notices waiting to go out, exactly once */
  outbox: 'shotclock_outbox',
  /** Cloud Monitoring incidents of the worker-errors policies, as received */
  monitoring_incidents: 'shotclock_monitoring_incidents',
  /** one record-count check per processor and date, with its retry series */
  record_count_checks: 'record_count_checks',
  /** the record-count retry breaker per processor */
  record_count_processors: 'record_count_processors',
  /** the record-count retry breaker per table */
  record_count_tables: 'record_count_tables',
  /** the latest count per processor and date, for the `baseline` expected-count rule */
  record_count_history: 'record_count_history',
  /** the freshness gate's decision per date */
  freshness_gate: 'freshness_gate',
  /** when each date's grading export last went out, for the staleness alert */
  grading_export_watch: 'grading_export_watch',
  /** the dependency probe's round-trip documents, one per function */
  probe: 'shotclock_probe',
});

export type CollectionRole = keyof typeof DEFAULT_COLLECTIONS;
export type StateCollections = Record<CollectionRole, string>;
