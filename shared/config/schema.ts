import { Cron } from 'croner';
import { z } from 'zod';
import { type CollectionRole, DEFAULT_COLLECTIONS } from './collections.js';
import { BOX_SCORES_TABLE, GRADED_PREDICTIONS_TABLE, PREDICTIONS_TABLE } from './tables.js';

const SnakeName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case name');
const TopicName = z.string().regex(/^[A-Za-z][A-Za-z0-9._~%+-]{2,254}$/, 'not a valid Pub/Sub topic name');
const TableName = z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'expected dataset.table');
const Minutes = z.number().nonnegative();
const Fraction = z.number().min(0).max(1);
const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h)');

export const TimeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'unknown IANA time zone');

/**
 * Cloud Scheduler reads unix-cron: exactly five fields. croner would also take a
 * seconds field or `@daily`, which the local scheduler would run and Cloud
 * Scheduler would refuse at deploy time, so those are refused here.
 */
export const CronExpression = z
  .string()
  .refine((expression) => expression.trim().split(/\s+/).length === 5, {
    message: 'cron expression needs five fields (minute hour day-of-month month day-of-week)',
    abort: true,
  })
  .refine((expression) => {
    try {
      new Cron(expression, { paused: true });
      return true;
    } catch {
      return false;
    }
  }, 'cron expression does not parse');

/** How many rows a processor should write for a date. */
export const ExpectedCountRule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('static'), rows: z.number().int().nonnegative() }),
  /** rows per scheduled game on the date (0 games -> 0 expected). */
  z.strictObject({ kind: z.literal('schedule'), rows_per_game: z.number().nonnegative() }),
  /** median of the last `days` comparable days of completion history; the fallback until there is enough. */
  z.strictObject({
    kind: z.literal('baseline'),
    days: z.number().int().positive(),
    min_history: z.number().int().positive(),
    same_weekday_weight: z.number().nonnegative().optional(),
    fallback: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('static'), rows: z.number().int().nonnegative() }),
      z.strictObject({ kind: z.literal('schedule'), rows_per_game: z.number().nonnegative() }),
    ]),
  }),
]);
export type ExpectedCountRule = z.infer<typeof ExpectedCountRule>;

/** A name as an emitter sends it: a class name (`NbacGamebookProcessor`) or a snake_case name. */
const ReportedName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a class or snake_case name');

export const Processor = z.strictObject({
  name: SnakeName,
  /**
   * Every other name the incumbent's publishers and tools use for this
   * processor: its class names (`NbacGamebookProcessor`), its normalised
   * `p2_*` name, older names. A completion whose name matches none of any
   * processor falls back to its `output_table` against `table`.
   */
  incumbent_names: z.array(ReportedName).default([]),
  table: TableName.optional(),
  date_column: SnakeName.default('game_date'),
  /** Required processors are the ones a phase counts as "all complete". */
  required: z.boolean().default(true),
  expected: ExpectedCountRule.optional(),
  /** The incumbent's class name (`PlayerGameSummaryProcessor`): what its services take to re-run this processor. */
  class_name: z
    .string()
    .regex(/^[A-Z][A-Za-z0-9]*$/, 'expected a class name such as PlayerGameSummaryProcessor')
    .optional(),
});
export type Processor = z.infer<typeof Processor>;

export const Phase = z.strictObject({
  id: SnakeName,
  label: z.string(),
  completion_topic: TopicName,
  processors: z.array(Processor).min(1),
});
export type Phase = z.infer<typeof Phase>;

export const TransitionRule = z.discriminatedUnion('kind', [
  /** Never fires: only watches and alerts on processors still missing. */
  z.strictObject({ kind: z.literal('watch') }),
  z.strictObject({ kind: z.literal('all_complete') }),
  z.strictObject({ kind: z.literal('critical_only') }),
  z.strictObject({ kind: z.literal('quorum'), fraction: Fraction.optional() }),
  /** Counted from the date's first completion; the last tier that is due applies. */
  z.strictObject({
    kind: z.literal('tiered'),
    tiers: z
      .array(
        z.strictObject({
          after_minutes: Minutes,
          /** at least this many of the phase's processors, critical ones included */
          min_completed: z.number().int().nonnegative().optional(),
          /** or: the critical set alone is enough */
          critical_only: z.boolean().optional(),
        }),
      )
      .min(1),
  }),
]);
export type TransitionRule = z.infer<typeof TransitionRule>;

/** What the incumbent's orchestrator expects of a date in one orchestration mode. */
export const ModeExpectation = z.strictObject({
  /** processors the date waits for and alerts on in this mode (critical ones included) */
  expected: z.array(SnakeName),
  /** processors without which the transition does not fire (before its deadline) */
  critical: z.array(SnakeName).default([]),
});
export type ModeExpectation = z.infer<typeof ModeExpectation>;

/**
 * Per-mode expectations, the mode decided in the pipeline's time zone from the
 * game date and the time of the completion: before the game date `tomorrow`,
 * on it `same_day`, after it `overnight`. A mode left out uses the phase's
 * required processors and the transition's `critical`.
 */
export const ModeExpectations = z.strictObject({
  overnight: ModeExpectation.optional(),
  same_day: ModeExpectation.optional(),
  tomorrow: ModeExpectation.optional(),
});
export type ModeExpectations = z.infer<typeof ModeExpectations>;

export const Transition = z.strictObject({
  id: SnakeName,
  from: SnakeName,
  to: SnakeName,
  /** Firestore collection of per-date state, e.g. `phase3_completion` (the incumbent's layout). */
  state_collection: SnakeName,
  rule: TransitionRule,
  critical: z.array(SnakeName).default([]),
  modes: ModeExpectations.optional(),
  /** Critical set in, optional ones missing: wait this long for them, then fire degraded. */
  grace_minutes: Minutes.optional(),
  /** Critical set still incomplete this long after the first completion: fire degraded with what is in. */
  deadline_minutes: Minutes.optional(),
  /** For `watch`: alert on required processors still missing this long after the first completion. */
  alert_after_minutes: Minutes.optional(),
  output: z
    .object({
      topic: TopicName,
      /** `phase4_trigger`: the incumbent's shape, one message per source table. */
      shape: z.enum(['phase4_trigger', 'phase_ready']),
    })
    .optional(),
});
export type Transition = z.infer<typeof Transition>;

export const RecordCountPolicy = z.strictObject({
  phases: z.array(SnakeName),
  retry_below_fraction: Fraction,
  first_retry_after_minutes: Minutes,
  backoff_multiplier: z.number().min(1),
  jitter_fraction: Fraction,
  max_attempts: z.number().int().positive(),
  rerun_topic: TopicName,
  /** Retries for tomorrow's games stop before predictions run (local time in the pipeline zone). */
  cutoff_local_time: ClockTime,
  /** Retries for past dates stop when the date is older than this. */
  past_date_max_age_days: z.number().int().nonnegative(),
  /** Message count and table count may differ by this fraction before it is a finding. */
  count_tolerance_fraction: Fraction,
  circuit_breaker: z.strictObject({ dates: z.number().int().positive(), window_minutes: Minutes }),
});

export const FreshnessCheck = z.strictObject({
  table: TableName,
  date_column: SnakeName.default('game_date'),
  processed_column: SnakeName.default('processed_at'),
  /**
   * Read where `processed_column` is NULL: a table stamped `created_at` on
   * insert and `updated_at` only when rewritten (`ml_feature_store_v2`).
   */
  processed_fallback_column: SnakeName.optional(),
  min_players: z.number().int().nonnegative(),
  min_players_with_lines: z.number().int().nonnegative().optional(),
  warn_after_hours: z.number().positive().optional(),
  error_after_hours: z.number().positive(),
  /** below this share of players with a line: error */
  min_line_coverage: Fraction.optional(),
  /** share of scheduled games with rows */
  min_game_coverage: Fraction.optional(),
});

export const FreshnessGatePolicy = z.strictObject({
  target: z.enum(['TODAY', 'TOMORROW']),
  cutoff_local_time: ClockTime,
  wake_topic: TopicName,
  output_topic: TopicName,
  checks: z.array(FreshnessCheck).min(1),
});

export const GradingPolicy = z.strictObject({
  bucket: z.string().min(3),
  path_prefix: z.string(),
  cache_control: z.string(),
  baseline_days: z.number().int().positive(),
  /** below this many graded picks a system's accuracy is not judged */
  min_sample: z.number().int().positive(),
  placeholder_line: z.number(),
  stale_after_minutes: Minutes,
  production_system: z.string(),
  /** the tables grading reads and writes; the queries, the probe, the deploy's grants and the local warehouse follow */
  tables: z
    .strictObject({
      /** the pipeline's predictions (`is_active`, `current_points_line`, ...) */
      predictions: TableName.default(PREDICTIONS_TABLE),
      /** the box scores the predictions are graded against */
      box_scores: TableName.default(BOX_SCORES_TABLE),
      /** shotclock's own graded rows: created by the deploy, written only by live grading */
      graded: TableName.default(GRADED_PREDICTIONS_TABLE),
    })
    .prefault({}),
});

/**
 * What a scheduler job's tick makes shotclock do. The functions act on a tick by its job's role,
 * looked up by id in this config, so a job can be renamed (or a second one added) in the config alone.
 */
export const JobRole = z.enum(['tick', 'freshness_gate', 'live_grading', 'dependency_probe']);
export type JobRole = z.infer<typeof JobRole>;

export const ScheduleJob = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a kebab-case job id'),
  /**
   * tick: deadlines, due retries, outboxes, blocked gates, alert rules, export staleness;
   * freshness_gate: the gate's scheduled check; live_grading: grade and export `target_date`;
   * dependency_probe: the probe of every function and the topology
   */
  role: JobRole,
  description: z.string(),
  cron: CronExpression,
  time_zone: TimeZone,
  topic: TopicName,
  /** extra fields carried in the tick message */
  target_date: z.enum(['TODAY', 'TOMORROW', 'YESTERDAY']).optional(),
});
export type ScheduleJob = z.infer<typeof ScheduleJob>;

export const AlertThresholds = z.strictObject({
  phase_completion_below: Fraction,
  data_staleness_hours: z.number().positive(),
  grading_accuracy_below: Fraction,
  prediction_volume_below: z.number().int().nonnegative(),
  worker_errors: z.strictObject({ count: z.number().int().positive(), window_minutes: Minutes }),
});

/**
 * The incumbent's parts shotclock replaces. `deploy --apply --take-over` pauses these scheduler
 * jobs and detaches these functions' push subscriptions (they become pull subscriptions nobody
 * reads); `--give-back` resumes and re-attaches them. Nothing else of the incumbent is touched.
 */
export const TakeOver = z.strictObject({
  scheduler_jobs: z.array(
    z.strictObject({
      id: z.string().min(1),
      /** what shotclock does instead: shown in the plan */
      replaced_by: z.string().min(1),
    }),
  ),
  functions: z.array(
    z.strictObject({
      /** the incumbent's deployed function name (Cloud Functions gen2) */
      name: z.string().min(1),
      /** the topic it is triggered by; its push subscription on this topic is detached */
      topic: TopicName,
      replaced_by: z.string().min(1),
    }),
  ),
});
export type TakeOver = z.infer<typeof TakeOver>;

/** A service shotclock calls over HTTP (Cloud Run), with the Google ID token audience it expects. */
export const DownstreamService = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  /** ID-token audience; the service URL when absent (what Cloud Run checks by default) */
  audience: z.string().min(1).optional(),
});

/** One effect of a decision: an HTTP call to a configured service, or the downstream's own Pub/Sub message. */
export const DownstreamAction = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('http'),
    service: SnakeName,
    method: z.enum(['POST', 'PUT']).default('POST'),
    path: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'expected a path such as /start'),
    /** 4xx answers that mean "already done" (the coordinator's 409 for a batch already running) */
    done_statuses: z.array(z.number().int().min(400).max(499)).default([]),
  }),
  /** the downstream's topic: `freshness_gate.output_topic` for predictions, `record_count.rerun_topic` for re-runs */
  z.strictObject({ kind: z.literal('publish') }),
]);
export type DownstreamAction = z.infer<typeof DownstreamAction>;

export const Downstream = z
  .strictObject({
    services: z.record(SnakeName, DownstreamService),
    /** what the freshness gate does when a date opens */
    predictions: z.array(DownstreamAction).min(1),
    /** what a Phase 3 record-count retry does for one processor and date */
    phase3_rerun: z.array(DownstreamAction).min(1),
  })
  .superRefine((downstream, context) => {
    for (const key of ['predictions', 'phase3_rerun'] as const)
      downstream[key].forEach((action, index) => {
        if (action.kind === 'http' && !downstream.services[action.service])
          context.addIssue({
            code: 'custom',
            path: [key, index, 'service'],
            message: `no service "${action.service}" in downstream.services (known: ${Object.keys(downstream.services).join(', ') || 'none'})`,
          });
      });
  });
export type Downstream = z.infer<typeof Downstream>;

/** How outbox entries are driven: leases, timeouts, backoff and when a stuck entry reaches people. */
export const OutboxPolicy = z
  .strictObject({
    lease_seconds: z.number().int().min(10).max(900),
    /** each publish or HTTP call gives up after this; well inside the lease so the driver can still mark it */
    action_timeout_seconds: z.number().int().min(1).max(300),
    first_backoff_minutes: Minutes,
    max_backoff_minutes: Minutes,
    /** an entry still pending after this many attempts raises one alert */
    stuck_after_attempts: z.number().int().positive(),
    /** an entry still pending this long after it was queued is given up */
    give_up_after_minutes: Minutes,
  })
  .superRefine((policy, context) => {
    if (policy.action_timeout_seconds * 2 > policy.lease_seconds)
      context.addIssue({
        code: 'custom',
        path: ['action_timeout_seconds'],
        message: `must be at most half of lease_seconds (${policy.lease_seconds}), so a driver still holds the lease when it marks an action sent`,
      });
  });
export type OutboxPolicy = z.infer<typeof OutboxPolicy>;

/** How alert notices are paced: grouped per pipeline date. */
export const AlertGrouping = z
  .strictObject({
    /** a new group's first notice (and a change's) waits this long, so a burst is one message */
    group_wait_minutes: Minutes.default(2),
    /** while nothing changes, a reminder at most this often */
    repeat_interval_minutes: Minutes.min(1).default(240),
    /** a dead-letter alert clears when its function refused nothing for this long */
    dead_letter_quiet_minutes: Minutes.min(1).default(120),
  })
  .default({ group_wait_minutes: 2, repeat_interval_minutes: 240, dead_letter_quiet_minutes: 120 });

const collectionName = (role: CollectionRole) => SnakeName.default(DEFAULT_COLLECTIONS[role]);

/**
 * The Firestore collections shotclock keeps its own state in (`shared/config/collections.ts` says
 * what each holds). Every function, the status page, the local stack and the deploy's TTL policies
 * use these names; the phases' per-date documents are each transition's `state_collection`.
 */
export const StateCollections = z
  .strictObject({
    alerts: collectionName('alerts'),
    alert_groups: collectionName('alert_groups'),
    outbox: collectionName('outbox'),
    monitoring_incidents: collectionName('monitoring_incidents'),
    record_count_checks: collectionName('record_count_checks'),
    record_count_processors: collectionName('record_count_processors'),
    record_count_tables: collectionName('record_count_tables'),
    record_count_history: collectionName('record_count_history'),
    freshness_gate: collectionName('freshness_gate'),
    grading_export_watch: collectionName('grading_export_watch'),
    probe: collectionName('probe'),
  } satisfies Record<CollectionRole, unknown>)
  .prefault({});

export const PipelineConfig = z.strictObject({
  name: SnakeName,
  project: z.strictObject({
    id: z.string(),
    region: z.string(),
    time_zone: TimeZone,
    status_page_url: z.string(),
  }),
  schedule_table: TableName,
  phases: z.array(Phase).min(1),
  transitions: z.array(Transition),
  topics: z.strictObject({
    tick: TopicName,
    alerts: TopicName,
    dead_letter: TopicName,
    predictions_complete: TopicName,
    /** every freshness-gate decision, for dashboards and the status page */
    gate_decisions: TopicName,
    /** Cloud Monitoring's notification channel for the worker-errors policies; the alert monitor reads it */
    monitoring_incidents: TopicName,
  }),
  record_count: RecordCountPolicy,
  freshness_gate: FreshnessGatePolicy,
  grading: GradingPolicy,
  schedules: z.array(ScheduleJob),
  alerts: z.strictObject({
    thresholds: AlertThresholds,
    /** kept for configs that set it; notices are paced by `grouping` */
    cooldown_minutes: Minutes,
    /** one notice per pipeline date (Alertmanager's group_wait / repeat_interval) */
    grouping: AlertGrouping,
    slack_webhook_secret: z.string().optional(),
  }),
  delivery: z.strictObject({
    max_delivery_attempts: z.number().int().min(5).max(100),
    min_backoff_seconds: z.number().int().min(0).max(600),
    max_backoff_seconds: z.number().int().min(0).max(600),
    ack_deadline_seconds: z.number().int().min(10).max(600),
  }),
  downstream: Downstream,
  outbox: OutboxPolicy,
  take_over: TakeOver,
  collections: StateCollections,
});
export type PipelineConfig = z.infer<typeof PipelineConfig>;
export type PipelineConfigInput = z.input<typeof PipelineConfig>;
