import { createHash } from 'node:crypto';
import type { DeliveryOutcome } from '../local/dispatcher.js';
import type { CallRecord, ExportRecord, PublishedRecord } from '../local/instruments.js';

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
  /**
   * where `wall_seconds` went: starting the stack (`emulators`: of that, the emulators coming up;
   * null when they were already running), the day (the warehouse seeded, then the simulated day),
   * then the state snapshot and the status page
   */
  wall_split: { stack_start: number; emulators: number | null; day: number; closing: number };
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
  /**
   * every object written, in order; its body is `export_bodies[body_ref]` with `stamps` (its
   * write-time fields) put back: see `exportBody`
   */
  exports: Array<{
    at: string;
    path: string;
    body_ref: string;
    /** the body's top-level timestamps (`updated_at`): they change on every write, the rest mostly not */
    stamps?: Record<string, string>;
    bytes: number;
    cache_control?: string;
  }>;
  /** each distinct export body (without its stamps) once, by `sha256:<hex>` of its JSON */
  export_bodies: Record<string, unknown>;
  /** the scenario's `note`s, at their simulated times */
  notes: Array<{ at: string; note: string }>;
  errors: Array<{ at: string; kind: 'delivery' | 'dead-letter'; detail: string } & Record<string, unknown>>;
  /** every outbound HTTP request to a pipeline service; `status` null when no answer came */
  calls: CallRecord[];
  state: Record<string, Record<string, unknown>>;
  status_page?: { html: string; json: string };
}

export interface ReportInputs {
  scenario: string;
  start: string;
  end: string;
  wallSeconds: number;
  wallSplit: ReplayReport['wall_split'];
  published: PublishedRecord[];
  exports: ExportRecord[];
  calls: CallRecord[];
  deliveries: DeliveryOutcome[];
  state: Record<string, Record<string, unknown>>;
  topics: { alerts: string; gateDecisions: string; rerun: string; deadLetter: string; tick: string };
  notes?: Array<{ at: string; note: string }>;
}

/** The body an export record refers to, as it was written. */
export function exportBody(
  report: Pick<ReplayReport, 'export_bodies'>,
  record: { body_ref: string; stamps?: Record<string, string> },
): unknown {
  const stored = report.export_bodies[record.body_ref];
  return record.stamps ? { ...record.stamps, ...(stored as object) } : stored;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * A body without its top-level timestamps. Live grading rewrites the same feed every few minutes
 * and only `updated_at` differs on most writes: kept apart, the rest is one stored body.
 */
function withoutStamps(body: unknown): { stamps?: Record<string, string>; rest: unknown } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { rest: body };
  const stamps: Record<string, string> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body))
    if (typeof value === 'string' && TIMESTAMP.test(value)) stamps[key] = value;
    else rest[key] = value;
  return Object.keys(stamps).length ? { stamps, rest } : { rest: body };
}

function storedOnce(records: ExportRecord[]): Pick<ReplayReport, 'exports' | 'export_bodies'> {
  const bodies: Record<string, unknown> = {};
  const exports = records.map((record) => {
    const { stamps, rest } = withoutStamps(record.body);
    const stored = JSON.stringify(rest);
    const ref = `sha256:${createHash('sha256').update(stored).digest('hex')}`;
    bodies[ref] ??= rest;
    return {
      at: record.at,
      path: `${record.bucket}/${record.path}`,
      body_ref: ref,
      ...(stamps ? { stamps } : {}),
      bytes: Buffer.byteLength(JSON.stringify(record.body)),
      ...(record.cache_control ? { cache_control: record.cache_control } : {}),
    };
  });
  return { exports, export_bodies: bodies };
}

/**
 * The game date the day's story is about: the date most of the pipeline's own messages name (not
 * the scenario's end date, which is often the morning after).
 */
export function busiestGameDate(published: readonly PublishedRecord[], tick: string): string | undefined {
  const counts = new Map<string, number>();
  for (const record of published) {
    if (record.topic === tick) continue;
    const data = (record.data ?? {}) as Record<string, unknown>;
    const date = data.game_date ?? data.data_date ?? data.target_date;
    if (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date))
      counts.set(date, (counts.get(date) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
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
    wall_split: inputs.wallSplit,
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
    ...storedOnce(inputs.exports),
    notes: inputs.notes ?? [],
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
    calls: inputs.calls.map(({ at, target, method, url, body, status }) => ({
      at,
      target,
      method,
      url,
      body,
      status,
    })),
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
