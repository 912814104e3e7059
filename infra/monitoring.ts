import type { PipelineConfig } from '../shared/config/schema.js';
import { functionSpecs } from './functions.js';

/**
 * The worker-errors rule ("more than 5 errors in 5 minutes", from the
 * incident report) cannot be evaluated by a function: the worker that failed
 * on 2026-01-18 crashed before it could say anything. It is a log-based
 * metric per service plus a Cloud Monitoring alert policy on it, declared
 * here as data; `infra/plan.ts` renders it into gcloud commands.
 *
 * Entries the alert sink itself writes (they carry `jsonPayload.alert_key`)
 * are excluded: an ERROR alert is not a worker error, and counting it would
 * make alerts feed the error alert.
 */
export interface LogMetricSpec {
  /** `gcloud logging metrics create <name>` */
  name: string;
  description: string;
  /** Cloud Logging query language */
  filter: string;
  /** the service the metric counts (a Cloud Run service: every gen2 function is one) */
  service: string;
}

export interface AlertPolicySpec {
  /** display name, also the id the plan uses */
  displayName: string;
  /** the log-based metric the condition watches */
  metric: string;
  /** Monitoring filter of the condition */
  filter: string;
  /** more than this many errors ... */
  threshold: number;
  /** ... within this window (seconds), summed */
  alignmentPeriodSeconds: number;
  comparison: 'COMPARISON_GT';
  aligner: 'ALIGN_SUM';
  /** how long the condition must hold: 0 = the first window over the threshold */
  durationSeconds: number;
  /** incidents close by themselves this long after the errors stop */
  autoCloseSeconds: number;
  /** ids of `NotificationChannelSpec`s */
  notificationChannels: string[];
  /** shown in the incident: what a person should do */
  documentation: string;
  severity: 'ERROR' | 'CRITICAL';
}

export interface NotificationChannelSpec {
  id: string;
  type: 'pubsub';
  displayName: string;
  /** short topic name; the Monitoring service agent needs `roles/pubsub.publisher` on it */
  topic: string;
}

export interface MonitoringSpec {
  logMetrics: LogMetricSpec[];
  alertPolicies: AlertPolicySpec[];
  notificationChannels: NotificationChannelSpec[];
}

/** The incumbent's services whose errors matter as much as ours (the 2026-01-18 retry storm came from one). */
export const WATCHED_INCUMBENT_SERVICES = ['prediction-worker', 'prediction-coordinator'] as const;

const ALERTS_CHANNEL = 'shotclock-monitoring-incidents-topic';

function metricName(service: string): string {
  return `shotclock_worker_errors_${service.replace(/[^a-z0-9]+/g, '_')}`;
}

/** Log-based metrics and alert policies for the worker-errors rule, from the config's thresholds. */
export function monitoringSpec(
  config: PipelineConfig,
  services: readonly string[] = [
    ...functionSpecs(config).map((spec) => spec.name),
    ...WATCHED_INCUMBENT_SERVICES,
  ],
): MonitoringSpec {
  const { count, window_minutes } = config.alerts.thresholds.worker_errors;
  const unique = [...new Set(services)];
  const logMetrics = unique.map(
    (service): LogMetricSpec => ({
      name: metricName(service),
      service,
      description: `Log entries at ERROR or above from ${service} (alert entries excluded)`,
      filter: [
        'resource.type="cloud_run_revision"',
        `resource.labels.service_name="${service}"`,
        'severity>=ERROR',
        'NOT jsonPayload.alert_key:*',
      ].join(' AND '),
    }),
  );
  const alertPolicies = logMetrics.map(
    (metric): AlertPolicySpec => ({
      displayName: `shotclock: ${metric.service} errors over ${count} in ${window_minutes} min`,
      metric: metric.name,
      filter: `metric.type="logging.googleapis.com/user/${metric.name}" AND resource.type="cloud_run_revision"`,
      threshold: count,
      alignmentPeriodSeconds: Math.round(window_minutes * 60),
      comparison: 'COMPARISON_GT',
      aligner: 'ALIGN_SUM',
      durationSeconds: 0,
      autoCloseSeconds: 30 * 60,
      notificationChannels: [ALERTS_CHANNEL],
      documentation:
        `${metric.service} logged more than ${count} errors in ${window_minutes} minutes. ` +
        `Read its logs (severity>=ERROR); a crash loop with redeliveries looks like this. ` +
        `Status page: ${config.project.status_page_url}`,
      severity: 'ERROR',
    }),
  );
  return {
    logMetrics,
    alertPolicies,
    notificationChannels: [
      {
        id: ALERTS_CHANNEL,
        type: 'pubsub',
        displayName: 'shotclock monitoring incidents topic',
        // Its own topic, read by the alert monitor: the incident JSON is Monitoring's, not a shotclock notice.
        topic: config.topics.monitoring_incidents,
      },
    ],
  };
}
