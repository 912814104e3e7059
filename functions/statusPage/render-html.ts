import { DateTime } from 'luxon';
import { addDays } from '../../shared/domain/calendar.js';
import { gradingSpec, renderSvg, successRateSpec, timelineSpec } from './charts.js';
import type { DaySnapshot, StatusSnapshot, TransitionTimeline } from './read-status.js';

export interface RenderOptions {
  /** the grading floor drawn on the accuracy chart (config.alerts.thresholds.grading_accuracy_below) */
  gradingFloor: number;
  /** links to other dates: `?date=`; the snapshot files leave them out */
  links: boolean;
}

const escapeHtml = (value: unknown): string =>
  String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

const percent = (value: number | null) => (value === null ? '–' : `${Math.round(value * 1000) / 10}%`);

function localTime(at: string | null, zone: string, withDate = true): string {
  if (!at) return '–';
  const time = DateTime.fromISO(at, { zone });
  if (!time.isValid) return escapeHtml(at);
  return time.toFormat(withDate ? 'ccc d LLL HH:mm' : 'HH:mm');
}

const NO_DATA = '<p class="no-data">no data</p>';

function badge(status: string | null, kind = 'status'): string {
  const value = status ?? 'no data';
  return `<span class="badge ${kind}-${escapeHtml(value.toLowerCase().replace(/[^a-z_]/g, '_'))}">${escapeHtml(value)}</span>`;
}

async function chart(name: string, spec: Parameters<typeof renderSvg>[0] | undefined, caption: string) {
  if (!spec) return `<figure class="chart empty" data-chart="${name}">${NO_DATA}</figure>`;
  return `<figure class="chart" data-chart="${name}">${await renderSvg(spec)}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function alertsSection(snapshot: StatusSnapshot): string {
  const items = snapshot.open_alerts
    .map(
      (
        alert,
      ) => `<li class="alert alert-${escapeHtml(alert.severity.toLowerCase())}" data-key="${escapeHtml(alert.key)}">
  ${badge(alert.severity, 'severity')} <code>${escapeHtml(alert.rule)}</code>
  <span class="subject">${escapeHtml(alert.subject)}${alert.game_date ? ` · ${escapeHtml(alert.game_date)}` : ''}</span>
  <p>${escapeHtml(alert.message)}</p>
  <p class="meta">open since ${localTime(alert.first_raised_at, snapshot.time_zone)}, ${alert.notice_count === 1 ? '1 notice sent' : `${alert.notice_count} notices sent`}, last checked ${localTime(alert.last_raised_at, snapshot.time_zone)}</p>
</li>`,
    )
    .join('\n');
  const deliveries = snapshot.pending_deliveries.length
    ? `<h3>Alert deliveries not yet accepted (retried on every tick)</h3>
<table id="pending-deliveries"><thead><tr><th>alert</th><th>channel</th><th>notice</th><th>attempts</th><th>last error</th><th>since</th></tr></thead><tbody>
${snapshot.pending_deliveries
  .map(
    (delivery) =>
      `<tr class="pending-delivery"><td><code>${escapeHtml(delivery.alert_key)}</code></td><td>${escapeHtml(delivery.channel)}</td><td>${escapeHtml(delivery.notice)}</td><td>${delivery.attempts}</td><td>${escapeHtml(delivery.last_error ?? '–')}</td><td>${localTime(delivery.created_at, snapshot.time_zone)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`
    : '';
  const notices = (n: number) => (n === 1 ? '1 notice sent' : `${n} notices sent`);
  const resolved = snapshot.recently_resolved
    .map(
      (alert) => `<li class="resolved-alert" data-key="${escapeHtml(alert.key)}">
  ${badge(alert.severity, 'severity')} <code>${escapeHtml(alert.rule)}</code>
  <span class="subject">${escapeHtml(alert.subject)}${alert.game_date ? ` · ${escapeHtml(alert.game_date)}` : ''}</span>
  <p>${escapeHtml(alert.resolution ?? alert.message)}</p>
  <p class="meta">open ${localTime(alert.first_raised_at, snapshot.time_zone)} – resolved ${localTime(alert.resolved_at, snapshot.time_zone)}, ${alert.notice_count === 0 ? 'cleared before anyone was told' : notices(alert.notice_count)}</p>
</li>`,
    )
    .join('\n');
  return `<section id="alerts"><div class="alert-columns"><div><h2>Open alerts <span class="count">${snapshot.open_alerts.length}</span></h2>
${items ? `<ul id="open-alerts">${items}</ul>` : '<p class="all-clear" id="open-alerts-empty">No open alerts.</p>'}</div>
<div><h2>Resolved in the last 24 h <span class="count">${snapshot.recently_resolved.length}</span></h2>
${resolved ? `<ul id="recently-resolved">${resolved}</ul>` : '<p id="recently-resolved-empty">Nothing resolved in the last 24 hours.</p>'}</div></div>
${deliveries}</section>`;
}

function transitionSummary(transition: TransitionTimeline, zone: string): string {
  if (!transition.has_data) return `${badge(null)} nothing recorded`;
  const rule = `<code>${escapeHtml(transition.fired_by ?? transition.mode ?? transition.rule)}</code>`;
  const reason = transition.trigger_reason ? `: ${escapeHtml(transition.trigger_reason)}` : '';
  const missing = [
    ...transition.missing_critical.map((name) => `${escapeHtml(name)} (critical)`),
    ...transition.missing.filter((name) => !transition.missing_critical.includes(name)).map(escapeHtml),
  ];
  const without = missing.length ? `; fired without ${missing.join(', ')}` : '';
  if (transition.triggered_at || transition.triggered || transition.decision === 'fire') {
    const label = transition.degraded || missing.length ? 'DEGRADED' : 'FIRED';
    const when = transition.triggered_at
      ? `at ${localTime(transition.triggered_at, zone)}`
      : transition.triggered
        ? ''
        : '(trigger queued, not yet published)';
    return `${badge(label)} ${when} by ${rule}${reason}${without}`;
  }
  if (transition.decision)
    return `${badge(transition.decision.toUpperCase())} ${escapeHtml(transition.trigger_reason ?? '')}`;
  if (transition.rule === 'watch') return `${badge('WATCH')} watched only (rule <code>watch</code>)`;
  return `${badge('WAITING')} not fired (rule <code>${escapeHtml(transition.rule)}</code>)`;
}

/** The re-runs requested for a processor on the day, with the rows seen when each was asked for. */
function rerunsOf(day: DaySnapshot, processor: string, zone: string): string {
  const requests = day.retries.find((retry) => retry.processor === processor)?.requests ?? [];
  if (requests.length === 0) return '–';
  return requests
    .map(
      (request) =>
        `<span class="rerun">${localTime(request.at, zone)} <span class="meta">(${request.observed ?? '?'} rows)</span></span>`,
    )
    .join(', ');
}

async function timelineSection(
  day: DaySnapshot,
  zone: string,
  alerts: StatusSnapshot['open_alerts'],
): Promise<string> {
  const rows = day.transitions
    .map((transition) => {
      const header = `<tr class="transition-row" data-transition="${escapeHtml(transition.transition)}"><th colspan="5">${escapeHtml(transition.label)} → ${escapeHtml(transition.to)} <span class="completion">${transition.completed}/${transition.required} required complete</span><div class="fired">${transitionSummary(transition, zone)}</div></th></tr>`;
      // Optional processors that never reported do not hold the phase up: one quiet line, not a red row each.
      const silent = transition.processors.filter((processor) => !processor.required && !processor.status);
      const listed = transition.processors.filter((processor) => !silent.includes(processor));
      const processors = listed
        .map(
          (processor) =>
            `<tr class="timeline-row" data-processor="${escapeHtml(processor.processor)}"><td>${escapeHtml(processor.processor)}${processor.critical ? ' <span class="tag critical">critical</span>' : ''}${processor.required ? '' : ' <span class="tag">optional</span>'}</td><td>${badge(processor.status ?? 'missing')}</td><td>${localTime(processor.completed_at, zone)}</td><td>${rerunsOf(day, processor.processor, zone)}</td><td class="num">${processor.record_count ?? '–'}</td></tr>`,
        )
        .join('\n');
      const unknown = transition.unknown_processors.length
        ? `<tr class="unknown-processors"><td colspan="5">Reported but not in the config: ${transition.unknown_processors.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ')}</td></tr>`
        : '';
      const optional = silent.length
        ? `<tr class="optional-not-reported"><td colspan="5">${silent.length} optional processor${silent.length === 1 ? '' : 's'} did not report (not required for the phase): ${silent.map((processor) => `<code>${escapeHtml(processor.processor)}</code>`).join(', ')}</td></tr>`
        : '';
      return header + processors + optional + unknown;
    })
    .join('\n');
  return `<section id="timeline-section"><h2>Phase timeline</h2>
${await chart('timeline', timelineSpec(day, zone, alerts), 'The day on one axis: processor completions (circles), re-runs requested (triangles, on the processor’s row), freshness-gate decisions (diamonds), transitions firing (squares), alerts raised (crosses).')}
<table id="timeline"><thead><tr><th>processor</th><th>status</th><th>first completed (${escapeHtml(zone)})</th><th>re-runs requested</th><th>rows (latest)</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

function gateSection(day: DaySnapshot, zone: string): string {
  const gate = day.gate;
  if (!gate) return `<section id="gate"><h2>Freshness gate</h2>${NO_DATA}</section>`;
  const checks = gate.checks
    .map(
      (check) =>
        `<tr class="gate-check"><td><code>${escapeHtml(check.table)}</code></td><td>${badge(check.level)}</td><td class="num">${check.rows ?? '–'} / ${check.expected_rows ?? '–'}</td><td>${localTime(check.newest_processed_at, zone)}${check.age_hours === null ? '' : ` <span class="meta">(${Math.round(check.age_hours * 10) / 10} h old)</span>`}</td><td>${escapeHtml(check.findings.join('; ') || '–')}</td></tr>`,
    )
    .join('\n');
  const history = gate.history
    .slice(-12)
    .map(
      (entry) =>
        `<li>${localTime(entry.at, zone)} ${badge(entry.status)} <span class="meta">${escapeHtml(entry.source ?? '')}</span></li>`,
    )
    .join('');
  return `<section id="gate"><h2>Freshness gate ${badge(gate.status)}</h2>
<p>Last evaluated ${localTime(gate.evaluated_at, zone)}; cutoff ${localTime(gate.cutoff_at, zone)}; ${
    gate.opened_at
      ? `opened ${localTime(gate.opened_at, zone)}, predictions trigger ${gate.triggered ? 'published' : 'queued'}`
      : 'not opened'
  }${gate.override_by ? `; opened by hand by ${escapeHtml(gate.override_by)}` : ''}.</p>
${gate.reasons.length ? `<ul class="reasons">${gate.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('')}</ul>` : ''}
${checks ? `<table><thead><tr><th>table</th><th>level</th><th>rows / expected</th><th>newest data for the date</th><th>findings</th></tr></thead><tbody>${checks}</tbody></table>` : ''}
${history ? `<details><summary>decisions (${gate.history.length})</summary><ul class="history">${history}</ul></details>` : ''}
</section>`;
}

function retriesSection(day: DaySnapshot, zone: string): string {
  if (day.retries.length === 0)
    return `<section id="retries"><h2>Record-count retries</h2><p class="no-data">no retries recorded</p></section>`;
  const rows = day.retries
    .map(
      (retry) =>
        `<tr class="retry-row"><td>${escapeHtml(retry.processor)}</td><td>${badge(retry.status)}${retry.degraded ? ' <span class="tag critical">degraded</span>' : ''}</td><td class="num">${retry.observed ?? '–'} / ${retry.expected ?? '–'}</td><td class="num">${retry.attempts_sent ?? '–'} / ${retry.max_attempts ?? '–'}</td><td>${localTime(retry.next_due_at, zone)}</td><td>${escapeHtml(retry.end_reason ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<section id="retries"><h2>Record-count retries</h2>
<table><thead><tr><th>processor</th><th>status</th><th>rows / expected</th><th>re-runs sent</th><th>next due</th><th>ended</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

async function gradingSection(day: DaySnapshot, floor: number, zone: string): Promise<string> {
  const grading = day.grading;
  if (!grading) return `<section id="grading"><h2>Grading accuracy</h2>${NO_DATA}</section>`;
  const rows = grading.systems
    .map(
      (system) =>
        `<tr class="grading-row"><td>${escapeHtml(system.system)}${system.is_production ? ' <span class="tag">production</span>' : ''}</td><td class="num">${system.correct ?? '–'} / ${system.graded ?? '–'}</td><td class="num">${percent(system.accuracy)}</td><td class="num">${percent(system.interval_low)}–${percent(system.interval_high)}</td><td class="num">${percent(system.baseline)}</td><td>${badge(system.verdict)}</td></tr>`,
    )
    .join('\n');
  return `<section id="grading"><h2>Grading accuracy</h2>
<p>${escapeHtml(grading.overall ?? '')} <span class="meta">export updated ${localTime(grading.updated_at, zone)}</span></p>
${await chart('grading', gradingSpec(day, floor), `Dot: accuracy; grey bar: 95% Wilson interval; red tick: the system's 14-day baseline; dashed line: the ${percent(floor)} floor.`)}
<table><thead><tr><th>system</th><th>correct / decided</th><th>accuracy</th><th>95% interval</th><th>baseline</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function earlierDaysSection(snapshot: StatusSnapshot, links: boolean): string {
  const earlier = snapshot.days.slice(1);
  if (earlier.length === 0) return '';
  const rows = earlier
    .map((day) => {
      const phases = day.transitions
        .map(
          (transition) =>
            `<td>${transition.has_data ? `${transition.completed}/${transition.required}${transition.triggered_at || transition.triggered ? ' ✓' : ''}` : '–'}</td>`,
        )
        .join('');
      const production = day.grading?.systems.find((system) => system.is_production);
      const pending = day.retries.filter((retry) => retry.status === 'retry_pending').length;
      const exhausted = day.retries.filter((retry) => retry.status === 'retry_exhausted').length;
      const date = links ? `<a href="?date=${day.date}">${day.date}</a>` : day.date;
      return `<tr class="day-row"><td>${date}</td>${phases}<td>${badge(day.gate?.status ?? null)}</td><td class="num">${pending} / ${exhausted}</td><td class="num">${production ? percent(production.accuracy) : '–'}</td></tr>`;
    })
    .join('\n');
  const headers = snapshot.days[0]!.transitions.map(
    (transition) => `<th>${escapeHtml(transition.from)}→${escapeHtml(transition.to)}</th>`,
  ).join('');
  return `<section id="earlier-days"><h2>Days before</h2>
<table><thead><tr><th>date</th>${headers}<th>gate</th><th>retries pending / exhausted</th><th>production accuracy</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

const STYLE = `
:root{color-scheme:light;--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--bg:#f9fafb}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#111827;color:#fff;padding:14px 28px;display:flex;gap:18px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header a{color:#93c5fd}header .meta{color:#d1d5db}
main{max-width:1100px;margin:0 auto;padding:12px 28px 40px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:14px 0}
h2{font-size:16px;margin:0 0 10px}h3{font-size:14px;margin:14px 0 6px}
table{border-collapse:collapse;width:100%;margin-top:8px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:12px;color:var(--muted);font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
.transition-row th{background:#f3f4f6;font-weight:600}.transition-row .fired{font-weight:400;margin-top:2px}
.completion{color:var(--muted);font-weight:400;margin-left:8px}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600;background:#e5e7eb;color:#374151}
.status-success,.status-open,.status-met,.status-fired,.status-pass,.status-ok{background:#dcfce7;color:#166534}
.status-partial,.status-degraded,.status-warn,.status-retry_pending,.status-waiting,.status-inconclusive{background:#fef3c7;color:#92400e}
.optional-not-reported td{color:#6b7280;font-size:.9em}
.status-missing,.status-failed,.status-blocked,.status-error,.status-retry_exhausted,.status-below_baseline,.status-expire{background:#fee2e2;color:#991b1b}
.severity-critical{background:#7f1d1d;color:#fff}.severity-error{background:#fee2e2;color:#991b1b}.severity-warning{background:#fef3c7;color:#92400e}
.tag{font-size:11px;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 4px}.tag.critical{color:#991b1b;border-color:#fecaca}
.alert-columns{display:grid;grid-template-columns:3fr 2fr;gap:16px}#recently-resolved{list-style:none;padding:0;margin:0}#recently-resolved li{border-left:4px solid #16a34a;padding:6px 10px;margin:6px 0;background:#f0fdf4}#recently-resolved p{margin:3px 0}
#open-alerts{list-style:none;padding:0;margin:0}#open-alerts li{border-left:4px solid #dc2626;padding:6px 10px;margin:6px 0;background:#fff7f7}
#open-alerts li.alert-critical{border-color:#7f1d1d}#open-alerts li.alert-warning{border-color:#f59e0b;background:#fffbeb}#open-alerts p{margin:3px 0}
.meta{color:var(--muted);font-size:12px}.no-data{color:var(--muted);font-style:italic}.all-clear{color:#166534}
figure.chart{margin:4px 0}figure.chart svg{max-width:100%;height:auto}
td,th,li,p,code,header{overflow-wrap:anywhere}figcaption{font-size:12px;color:var(--muted)}
.count{background:#111827;color:#fff;border-radius:10px;padding:0 8px;font-size:12px}
.problems{background:#fff7ed;border-color:#fed7aa}
`;

/** The whole page as one HTML document: inline CSS and SVG, no script. */
export async function renderStatusHtml(snapshot: StatusSnapshot, options: RenderOptions): Promise<string> {
  const [day] = snapshot.days;
  if (!day) throw new Error('a status snapshot needs at least one day');
  const zone = snapshot.time_zone;
  const nav = options.links
    ? `<nav><a href="?date=${addDays(snapshot.date, -1)}">← ${addDays(snapshot.date, -1)}</a> · <a href="?date=${addDays(snapshot.date, 1)}">${addDays(snapshot.date, 1)} →</a> · <a href="?date=${snapshot.date}&amp;format=json">JSON</a></nav>`
    : '';
  const problems = snapshot.problems.length
    ? `<section class="problems" id="problems"><h2>Could not read</h2><ul>${snapshot.problems.map((problem) => `<li>${escapeHtml(problem)}</li>`).join('')}</ul></section>`
    : '';
  const sections = [
    alertsSection(snapshot),
    problems,
    await timelineSection(day, zone, snapshot.open_alerts),
    gateSection(day, zone),
    retriesSection(day, zone),
    await gradingSection(day, options.gradingFloor, zone),
    `<section id="success-rates"><h2>Processor success rates, ${snapshot.success_rate_window.from} to ${snapshot.success_rate_window.to}</h2>${await chart('success-rates', successRateSpec(snapshot.success_rates), 'Share of days with any activity in the phase on which the processor completed (success or partial).')}</section>`,
    earlierDaysSection(snapshot, options.links),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>shotclock status · ${escapeHtml(snapshot.pipeline)} · ${escapeHtml(snapshot.date)}</title>
<style>${STYLE}</style></head>
<body><header><h1>shotclock · ${escapeHtml(snapshot.pipeline)} · <span id="page-date">${escapeHtml(snapshot.date)}</span></h1>
<span class="meta">generated ${localTime(snapshot.generated_at, zone)} (${escapeHtml(zone)})</span>${nav}</header>
<main>${sections.join('\n')}</main></body></html>`;
}
