import type { DeliveryOutcome } from '../local/dispatcher.js';
import type { ExportRecord, PublishedRecord } from '../local/instruments.js';

/** One condition as a notice listed it. */
export interface ReportedCondition {
  key: string;
  rule: string;
  severity: string;
  message: string;
}

/** The replay report (DESIGN.md): what happened, on the simulated clock. */
export interface ReplayReport {
  scenario: string;
  start: string;
  end: string;
  wall_seconds: number;
  deliveries: number;
  /** wall-clock milliseconds each function spent answering deliveries: count, median, p99 */
  function_time: Record<string, { deliveries: number; p50_ms: number; p99_ms: number; total_ms: number }>;
  published: Array<Omit<PublishedRecord, 'message_id'>>;
  /**
   * every notice that went out, one per pipeline date at a time: `opened`, then `updated` when a
   * condition is added or worsens, `reminder` after the repeat interval; each lists its open conditions
   */
  alerts: Array<{
    at: string;
    rule: string;
    severity: string;
    key: string;
    message: string;
    notice: string;
    conditions: ReportedCondition[];
  }>;
  /** one per group when its last condition cleared, listing what cleared */
  resolved: Array<{ at: string; key: string; message: string; conditions: ReportedCondition[] }>;
  gates: Array<{ at: string } & Record<string, unknown>>;
  retries: Array<{ at: string } & Record<string, unknown>>;
  exports: Array<{ at: string; path: string; body: unknown; cache_control?: string }>;
  errors: Array<{ at: string; kind: 'delivery' | 'dead-letter'; detail: string } & Record<string, unknown>>;
  state: Record<string, Record<string, unknown>>;
  status_page?: { html: string; json: string };
}

export interface ReportInputs {
  scenario: string;
  start: string;
  end: string;
  wallSeconds: number;
  published: PublishedRecord[];
  exports: ExportRecord[];
  deliveries: DeliveryOutcome[];
  state: Record<string, Record<string, unknown>>;
  topics: { alerts: string; gateDecisions: string; rerun: string; deadLetter: string; tick: string };
}

export function buildReport(inputs: ReportInputs): ReplayReport {
  const { topics } = inputs;
  const on = (topic: string) => inputs.published.filter((record) => record.topic === topic);
  const isDeadLetterTopic = (topic: string) => topic === topics.deadLetter || topic.endsWith('-dlq');
  return {
    scenario: inputs.scenario,
    start: inputs.start,
    end: inputs.end,
    wall_seconds: inputs.wallSeconds,
    deliveries: inputs.deliveries.length,
    function_time: functionTime(inputs.deliveries),
    published: inputs.published.map(({ message_id: _id, ...record }) => record),
    alerts: on(topics.alerts)
      .filter((record) => record.attributes.kind !== 'resolved')
      .map((record) => {
        const notice = record.data as {
          rule: string;
          severity: string;
          key: string;
          message: string;
          notice?: string;
          conditions?: ReportedCondition[];
        };
        return {
          at: record.at,
          rule: notice.rule,
          severity: notice.severity,
          key: notice.key,
          message: notice.message,
          notice: notice.notice ?? 'opened',
          conditions: (notice.conditions ?? [notice]).map(({ key, rule, severity, message }) => ({
            key,
            rule,
            severity,
            message,
          })),
        };
      }),
    resolved: on(topics.alerts)
      .filter((record) => record.attributes.kind === 'resolved')
      .map((record) => {
        const resolution = record.data as {
          key: string;
          message: string;
          resolved_conditions?: ReportedCondition[];
        };
        return {
          at: record.at,
          key: resolution.key,
          message: resolution.message,
          conditions: (resolution.resolved_conditions ?? []).map(({ key, rule, severity, message }) => ({
            key,
            rule,
            severity,
            message,
          })),
        };
      }),
    gates: on(topics.gateDecisions).map((record) => ({ at: record.at, ...(record.data as object) })),
    retries: on(topics.rerun).map((record) => ({ at: record.at, ...(record.data as object) })),
    exports: inputs.exports.map((record) => ({
      at: record.at,
      path: `${record.bucket}/${record.path}`,
      body: record.body,
      ...(record.cache_control ? { cache_control: record.cache_control } : {}),
    })),
    errors: [
      ...inputs.deliveries
        .filter((outcome) => outcome.status < 200 || outcome.status >= 300)
        .map((outcome) => ({
          at: outcome.at,
          kind: 'delivery' as const,
          detail: `${outcome.function} answered ${outcome.status || 'nothing'} to ${outcome.topic} (attempt ${outcome.attempt})`,
          function: outcome.function,
          topic: outcome.topic,
          attempt: outcome.attempt,
          ...(outcome.error ? { error: outcome.error } : {}),
        })),
      ...inputs.published
        .filter((record) => isDeadLetterTopic(record.topic))
        .map((record) => ({
          at: record.at,
          kind: 'dead-letter' as const,
          detail: `${record.topic}: ${(record.data as { reason?: string }).reason ?? 'delivery attempts exhausted'}`,
          topic: record.topic,
          data: record.data,
        })),
    ].sort((a, b) => a.at.localeCompare(b.at)),
    state: inputs.state,
  };
}

function functionTime(deliveries: DeliveryOutcome[]): ReplayReport['function_time'] {
  const byFunction = new Map<string, number[]>();
  for (const delivery of deliveries)
    byFunction.set(delivery.function, [...(byFunction.get(delivery.function) ?? []), delivery.duration_ms]);
  const percentile = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return Object.fromEntries(
    [...byFunction].map(([name, durations]) => {
      const sorted = [...durations].sort((a, b) => a - b);
      return [
        name,
        {
          deliveries: sorted.length,
          p50_ms: percentile(sorted, 0.5),
          p99_ms: percentile(sorted, 0.99),
          total_ms: sorted.reduce((sum, value) => sum + value, 0),
        },
      ];
    }),
  );
}
