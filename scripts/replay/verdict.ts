import { DateTime } from 'luxon';
import type { ReplayReport } from './report.js';

/**
 * The replay's last word, one line: what went wrong, what shotclock did about
 * it, when predictions started, and the alerts that went out. Read from the
 * report alone, so it says what the emulators saw, not what was planned.
 */
export interface VerdictTopics {
  /** the freshness gate's output: predictions start when it publishes here */
  predictions: string;
  /** transition outputs (the Phase 4 trigger, predictions-ready) */
  transitions: readonly string[];
}

const str = (value: unknown) => (value === undefined || value === null ? '' : String(value));

export function verdictLine(report: ReplayReport, timeZone: string, topics: VerdictTopics): string {
  const at = (iso: string) => DateTime.fromISO(iso).setZone(timeZone).toFormat('ccc HH:mm ZZZZ');
  const wrong: string[] = [];
  const did: string[] = [];

  const rerunsByProcessor = new Map<string, Record<string, unknown>>();
  for (const retry of report.retries) rerunsByProcessor.set(str(retry.processor_name), retry);
  if (rerunsByProcessor.size) {
    const first = report.retries[0]!;
    wrong.push(
      `${str(first.processor_name)} wrote ${str(first.observed_count)} of ${str(first.expected_count)} rows` +
        (rerunsByProcessor.size > 1 ? ` (and ${rerunsByProcessor.size - 1} more processors short)` : ''),
    );
    did.push(`requested ${report.retries.length} re-run${report.retries.length === 1 ? '' : 's'}`);
  }
  const blocked = report.gates.filter((gate) => gate.status === 'BLOCKED');
  const opened = report.gates.find((gate) => gate.status === 'OPEN');
  if (blocked.length) {
    wrong.push(`data not ready for predictions at ${at(blocked[0]!.at)}`);
    did.push(
      opened
        ? `held predictions at the gate until ${at(opened.at)}`
        : `held predictions at the gate (${blocked.length} checks)`,
    );
  }
  const fired = new Map<string, { at: string; reason: string }>();
  for (const record of report.published) {
    if (!topics.transitions.includes(record.topic)) continue;
    const data = (record.data ?? {}) as Record<string, unknown>;
    const key = `${record.topic}:${str(data.game_date)}`;
    if (!fired.has(key)) fired.set(key, { at: record.at, reason: str(data.trigger_reason) });
  }
  for (const [key, trigger] of fired) {
    const degraded = /degraded|deadline|missing/i.test(trigger.reason);
    did.push(
      `fired ${key.split(':')[0]} at ${at(trigger.at)}${degraded ? ` (degraded: ${trigger.reason})` : ''}`,
    );
  }
  const deadLetters = report.errors.filter((error) => error.kind === 'dead-letter').length;
  const failedDeliveries = report.errors.filter((error) => error.kind === 'delivery').length;
  if (failedDeliveries) {
    wrong.push(`${failedDeliveries} deliveries failed`);
    did.push(deadLetters ? `dead-lettered ${deadLetters}` : 'redelivered them all');
  } else if (deadLetters) wrong.push(`${deadLetters} messages dead-lettered`);

  // Every start, not the first: a replay that spans two evenings starts two dates.
  const predictions = report.published.filter((record) => record.topic === topics.predictions);
  const started = predictions.length
    ? `predictions started ${predictions
        .map((record) => `${at(record.at)} for ${str((record.data as Record<string, unknown>)?.game_date)}`)
        .join(', ')}`
    : 'predictions never started';

  const byRule = new Map<string, number>();
  for (const alert of report.alerts) byRule.set(alert.rule, (byRule.get(alert.rule) ?? 0) + 1);
  const alerts = report.alerts.length
    ? `${report.alerts.length} alert notice${report.alerts.length === 1 ? '' : 's'} (${[...byRule]
        .map(([rule, count]) => (count > 1 ? `${rule} ×${count}` : rule))
        .join(', ')})${report.resolved.length ? `, ${report.resolved.length} resolved` : ''}`
    : 'no alerts';

  return [
    `verdict: ${wrong.length ? wrong.join('; ') : 'nothing went wrong'}`,
    did.length ? `shotclock ${did.join(', ')}` : 'shotclock had nothing to do',
    started,
    alerts,
  ].join('. ');
}
