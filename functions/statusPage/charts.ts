import { DateTime } from 'luxon';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { DaySnapshot, SuccessRate } from './read-status.js';

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
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Times on the pipeline's wall clock, as people there read them: shifted so
 * that a UTC scale shows the local hour whatever zone the server runs in.
 */
function wallClock(at: string, timeZone: string): string {
  const local = DateTime.fromISO(at, { zone: timeZone });
  return local.isValid ? `${local.toFormat("yyyy-MM-dd'T'HH:mm:ss")}Z` : at;
}

/** When each processor completed, and when each transition fired, on one time axis. */
export function timelineSpec(day: DaySnapshot, timeZone: string): TopLevelSpec | undefined {
  const completions = day.transitions.flatMap((transition) =>
    transition.processors.flatMap((processor) =>
      processor.completed_at
        ? [
            {
              processor: processor.processor,
              phase: transition.label,
              at: wallClock(processor.completed_at, timeZone),
              status: processor.status ?? 'unknown',
            },
          ]
        : [],
    ),
  );
  const firings = day.transitions
    .filter((transition) => transition.triggered_at)
    .map((transition, index) => ({ transition, offset: 2 + index * 13 }))
    .flatMap(({ transition, offset }) =>
      transition.triggered_at
        ? [
            {
              at: wallClock(transition.triggered_at, timeZone),
              offset,
              label: `${transition.from}→${transition.to}${transition.degraded ? ' degraded' : ''} (${transition.fired_by ?? transition.mode ?? 'fired'})`,
            },
          ]
        : [],
    );
  if (completions.length === 0 && firings.length === 0) return undefined;
  const order = day.transitions.flatMap((transition) => transition.processors.map((p) => p.processor));
  const time = {
    field: 'at',
    type: 'temporal',
    title: `time (${timeZone})`,
    scale: { type: 'utc' },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 720,
    height: Math.max(120, order.length * 18),
    config: CHART_CONFIG,
    layer: [
      {
        data: { values: completions },
        mark: { type: 'point', filled: true, size: 90 },
        encoding: {
          x: { ...time, axis: { format: '%a %H:%M', labelAngle: 0, tickCount: 8 } },
          y: { field: 'processor', type: 'nominal', sort: order, title: null, axis: { labelLimit: 260 } },
          color: { field: 'phase', type: 'nominal', title: 'phase' },
          shape: { field: 'status', type: 'nominal', title: 'status' },
        },
      },
      {
        data: { values: firings },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#111827' },
        encoding: { x: time },
      },
      {
        data: { values: firings },
        mark: { type: 'text', align: 'right', dx: -4, baseline: 'top', fontSize: 10, color: '#111827' },
        // Staggered, so labels of transitions that fired close together do not overlap.
        encoding: {
          x: time,
          y: { field: 'offset', type: 'quantitative', scale: null, axis: null },
          text: { field: 'label' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Share of the last 14 days each processor completed (days its phase saw any activity). */
export function successRateSpec(rates: readonly SuccessRate[]): TopLevelSpec | undefined {
  const values = rates.filter((rate) => rate.rate !== null);
  if (values.length === 0) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 720,
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
