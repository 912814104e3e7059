import { DateTime } from 'luxon';
import type { TopLevelSpec } from 'vega-lite';
import type { DaySnapshot, OpenAlertView, SuccessRate } from './read-status.js';

/**
 * The page's charts as Vega-Lite specs, rendered to SVG on the server (no
 * script runs in the browser; the SVG is inline in the HTML). Each builder
 * returns undefined when there is nothing to draw, and the page says
 * "no data" instead.
 */
const CHART_CONFIG = {
  font: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, gridColor: '#e5e7eb' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom' },
} as const;

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { specToSvg } = await import('./svg-renderer.js');
  return specToSvg(spec);
}

/**
 * Times on the pipeline's wall clock, as people there read them: shifted so
 * that a UTC scale shows the local hour whatever zone the server runs in.
 */
function wallClock(at: string, timeZone: string): string {
  const local = DateTime.fromISO(at, { zone: timeZone });
  return local.isValid ? `${local.toFormat("yyyy-MM-dd'T'HH:mm:ss")}Z` : at;
}

/** Lanes below the processors, for what is not one processor's completion. */
const GATE_LANE = 'freshness gate';
const TRIGGER_LANE = 'transitions fired';
const ALERT_LANE = 'alerts raised';

/** What the day's timeline marks, in the legend's order. */
export const TIMELINE_KINDS = ['completion', 're-run', 'gate', 'trigger', 'alert'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineMark {
  kind: TimelineKind;
  /** the row: a processor, or one of the lanes */
  lane: string;
  at: string;
  /** what the mark means, in words (the SVG's aria-label, the tooltip) */
  description: string;
}

/**
 * The story of the day as marks on one time axis: processor completions,
 * re-runs requested (on the processor's row), freshness-gate decisions,
 * transitions firing, and alerts raised for the date.
 */
export function timelineMarks(day: DaySnapshot, alerts: readonly OpenAlertView[] = []): TimelineMark[] {
  const marks: TimelineMark[] = [];
  for (const transition of day.transitions)
    for (const processor of transition.processors)
      if (processor.completed_at)
        marks.push({
          kind: 'completion',
          lane: processor.processor,
          at: processor.completed_at,
          description: `completion: ${processor.processor} ${processor.status ?? ''}`.trim(),
        });
  for (const retry of day.retries)
    for (const request of retry.requests)
      marks.push({
        kind: 're-run',
        lane: retry.processor,
        at: request.at,
        description: `re-run: ${retry.processor} attempt ${request.attempt ?? '?'} (${request.observed ?? '?'} of ${request.expected ?? '?'} rows)`,
      });
  for (const entry of day.gate?.history ?? [])
    marks.push({
      kind: 'gate',
      lane: GATE_LANE,
      at: entry.at,
      description: `gate: ${entry.status}${entry.source ? ` (${entry.source})` : ''}`,
    });
  for (const transition of day.transitions)
    if (transition.triggered_at)
      marks.push({
        kind: 'trigger',
        lane: TRIGGER_LANE,
        at: transition.triggered_at,
        description: `trigger: ${transition.from}→${transition.to}${transition.degraded ? ' degraded' : ''} (${transition.fired_by ?? transition.mode ?? 'fired'})`,
      });
  for (const alert of alerts)
    if (alert.game_date === day.date && alert.first_raised_at)
      marks.push({
        kind: 'alert',
        lane: ALERT_LANE,
        at: alert.first_raised_at,
        description: `alert: ${alert.severity} ${alert.rule} ${alert.subject}`.trim(),
      });
  return marks.sort((a, b) => a.at.localeCompare(b.at));
}

/** The marks on one time axis; the chart scales to the page's width (no sideways scrolling). */
export function timelineSpec(
  day: DaySnapshot,
  timeZone: string,
  alerts: readonly OpenAlertView[] = [],
): TopLevelSpec | undefined {
  const marks = timelineMarks(day, alerts);
  if (marks.length === 0) return undefined;
  const processors = day.transitions.flatMap((transition) => transition.processors.map((p) => p.processor));
  const lanes = [...processors, GATE_LANE, TRIGGER_LANE, ALERT_LANE];
  const values = marks.map((mark) => ({ ...mark, at: wallClock(mark.at, timeZone) }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 640,
    height: { step: 18 },
    config: CHART_CONFIG,
    data: { values },
    mark: { type: 'point', filled: true, size: 90, opacity: 0.85 },
    encoding: {
      x: {
        field: 'at',
        type: 'temporal',
        title: `time (${timeZone})`,
        scale: { type: 'utc' },
        axis: { format: '%a %H:%M', labelAngle: 0, tickCount: 6 },
      },
      y: {
        field: 'lane',
        type: 'nominal',
        sort: lanes,
        scale: { domain: lanes },
        title: null,
        axis: { labelLimit: 220 },
      },
      color: {
        field: 'kind',
        type: 'nominal',
        title: null,
        scale: {
          domain: [...TIMELINE_KINDS],
          range: ['#2563eb', '#f59e0b', '#7c3aed', '#111827', '#dc2626'],
        },
      },
      shape: {
        field: 'kind',
        type: 'nominal',
        title: null,
        scale: {
          domain: [...TIMELINE_KINDS],
          range: ['circle', 'triangle-up', 'diamond', 'square', 'cross'],
        },
      },
      description: { field: 'description' },
      tooltip: [{ field: 'description', type: 'nominal' }],
    },
  } as TopLevelSpec;
}

/** Share of the last 14 days each processor completed (days its phase saw any activity). */
export function successRateSpec(rates: readonly SuccessRate[]): TopLevelSpec | undefined {
  const values = rates.filter((rate) => rate.rate !== null);
  if (values.length === 0) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 560,
    height: { step: 16 },
    config: CHART_CONFIG,
    data: {
      values: values.map((rate) => ({ ...rate, label: `${rate.completed_days}/${rate.observed_days}` })),
    },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: {
          y: { field: 'processor', type: 'nominal', sort: null, title: null, axis: { labelLimit: 260 } },
          x: {
            field: 'rate',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            axis: { format: '%' },
            title: 'days completed',
          },
          color: { field: 'phase', type: 'nominal', title: 'phase' },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
        encoding: {
          y: { field: 'processor', type: 'nominal', sort: null },
          x: { field: 'rate', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Accuracy per system with its 95% interval, the system's baseline, and the floor. */
export function gradingSpec(day: DaySnapshot, floor: number): TopLevelSpec | undefined {
  const systems = (day.grading?.systems ?? []).filter((system) => system.accuracy !== null);
  if (systems.length === 0) return undefined;
  const values = systems.map((system) => ({
    ...system,
    label: `${system.correct}/${system.graded} ${system.verdict ?? ''}`.trim(),
  }));
  const y = { field: 'system', type: 'nominal', title: null, sort: null } as const;
  const x = {
    type: 'quantitative',
    scale: { domain: [0, 1] },
    axis: { format: '%' },
    title: 'accuracy',
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 560,
    height: { step: 26 },
    config: CHART_CONFIG,
    data: { values },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 3, color: '#94a3b8' },
        encoding: { y, x: { ...x, field: 'interval_low' }, x2: { field: 'interval_high' } },
      },
      {
        mark: { type: 'tick', color: '#dc2626', thickness: 2, size: 18 },
        encoding: { y, x: { ...x, field: 'baseline' } },
      },
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          y,
          x: { ...x, field: 'accuracy' },
          color: {
            field: 'verdict',
            type: 'nominal',
            title: 'verdict',
            scale: {
              domain: ['ok', 'inconclusive', 'below_baseline'],
              range: ['#16a34a', '#6b7280', '#dc2626'],
            },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 8, dy: -9, fontSize: 10, color: '#374151' },
        encoding: { y, x: { ...x, field: 'interval_high' }, text: { field: 'label' } },
      },
      {
        data: { values: [{ floor }] },
        mark: { type: 'rule', strokeDash: [2, 2], color: '#f59e0b' },
        encoding: { x: { field: 'floor', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}
