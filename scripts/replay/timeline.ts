import { DateTime } from 'luxon';
import type { ReplayReport } from './report.js';

/**
 * The replay as a person reads it: one line per thing shotclock did or saw,
 * in simulated time on the pipeline's wall clock. Ticks and routine exports
 * are summarised, not listed.
 */
type Line = { at: string; who: string; text: string };

const str = (value: unknown) => (value === undefined || value === null ? '' : String(value));

function describePublish(
  topic: string,
  data: Record<string, unknown>,
  topics: TimelineTopics,
): Line['text'] | undefined {
  if (topic === topics.tick || topic === topics.alerts || topic === topics.gateDecisions) return undefined;
  if (topic.endsWith('-dlq') || topic === topics.deadLetter) return undefined;
  if ('source_table' in data)
    return `Phase 4 trigger for ${str(data.game_date)}: ${str(data.source_table)} (${str(data.mode)}: ${str(data.trigger_reason)})`;
  if ('processor_name' in data && 'attempt' in data)
    return `re-run requested: ${str(data.processor_name)} for ${str(data.game_date)}, attempt ${str(data.attempt)}/${str(data.max_attempts)} (${str(data.observed_count)} of ${str(data.expected_count)} rows)`;
  if ('processor_name' in data || 'processor' in data)
    return `${str(data.processor_name ?? data.processor)} ${str(data.status)} for ${str(data.game_date ?? data.data_date)}${data.record_count !== undefined ? `, ${str(data.record_count)} rows` : ''}`;
  if ('gate_decision' in data)
    return `predictions triggered for ${str(data.game_date)} (gate ${str(data.gate_decision)})`;
  if ('transition' in data)
    return `${str(data.transition)} fired for ${str(data.game_date)} (${str(data.mode)}: ${str(data.trigger_reason)})`;
  return `${topic}: ${JSON.stringify(data).slice(0, 160)}`;
}

export interface TimelineTopics {
  tick: string;
  alerts: string;
  gateDecisions: string;
  deadLetter: string;
}

export function renderTimeline(report: ReplayReport, timeZone: string, topics: TimelineTopics): string {
  const lines: Line[] = [];
  const pipelineTopics = new Set<string>();
  for (const record of report.published) {
    const data = (record.data ?? {}) as Record<string, unknown>;
    const text = describePublish(record.topic, data, topics);
    if (!text) continue;
    const fromShotclock = record.attributes.shotclock_outbox_id !== undefined || 'attempt' in data;
    if (!fromShotclock) pipelineTopics.add(record.topic);
    lines.push({
      at: record.at,
      who: fromShotclock ? 'shotclock' : 'pipeline',
      text: `${text}  [${record.topic}]`,
    });
  }
  for (const gate of report.gates)
    lines.push({
      at: gate.at,
      who: 'gate',
      text: `${str(gate.game_date)} ${str(gate.decision ?? gate.status)}: ${
        Array.isArray(gate.reasons) ? (gate.reasons as unknown[]).map(str).join('; ') : ''
      }`,
    });
  // A notice is listed when first sent and on each change; reminders (nothing changed) on one line.
  const reminders = new Map<string, string[]>();
  for (const alert of report.alerts) {
    if (alert.notice === 'reminder')
      reminders.set(alert.key, [...(reminders.get(alert.key) ?? []), alert.at]);
    else
      lines.push({
        at: alert.at,
        who: `ALERT ${alert.severity}`,
        text: [
          alert.message,
          ...alert.conditions.map((c) => `    ${c.severity} ${c.rule}: ${c.message}`),
        ].join('\n'),
      });
  }
  for (const [key, times] of reminders)
    lines.push({
      at: times[0]!,
      who: 'reminder',
      text: `${key}: ${times.length} reminder(s), nothing changed, the last at ${wall(times.at(-1)!, timeZone)}`,
    });
  for (const resolved of report.resolved)
    lines.push({
      at: resolved.at,
      who: 'resolved',
      text: [resolved.message, ...resolved.conditions.map((c) => `    ${c.rule}: ${c.message}`)].join('\n'),
    });
  for (const error of report.errors) lines.push({ at: error.at, who: error.kind, text: error.detail });
  for (const note of report.notes ?? []) lines.push({ at: note.at, who: 'note', text: note.note });
  const exportsByPath = new Map<string, { first: string; last: string; count: number }>();
  for (const record of report.exports) {
    const seen = exportsByPath.get(record.path);
    if (seen) Object.assign(seen, { last: record.at, count: seen.count + 1 });
    else exportsByPath.set(record.path, { first: record.at, last: record.at, count: 1 });
  }
  for (const [path, seen] of exportsByPath)
    lines.push({
      at: seen.first,
      who: 'export',
      text: `${path} written ${seen.count} times until ${wall(seen.last, timeZone)}`,
    });
  lines.sort((a, b) => a.at.localeCompare(b.at));
  const width = Math.max(...lines.map((line) => line.who.length), 8);
  return lines
    .map((line) => `${wall(line.at, timeZone)}  ${line.who.padEnd(width)}  ${line.text}`)
    .join('\n');
}

function wall(at: string, timeZone: string): string {
  return DateTime.fromISO(at).setZone(timeZone).toFormat('ccc dd LLL HH:mm ZZZZ');
}
