/**
 * Everything the status page reads, assembled from one reader per section
 * (`sections/`): the phase timeline, the freshness gate, re-runs, grading,
 * success rates, alerts. The collections belong to other functions and their
 * layouts may grow, so every section reads defensively (see each reader for
 * the layout it reads): a missing field is "no data", a failing backend a
 * line in `problems`, never a crash.
 */
import type { PipelineConfig } from '../../shared/config/schema.js';
import { addDays } from '../../shared/domain/calendar.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import type { ObjectStore } from '../../shared/ports/object-store.port.js';
import type { StateStore } from '../../shared/ports/state-store.port.js';
import {
  type OpenAlertView,
  type PendingDeliveryView,
  type ResolvedAlertView,
  readOpenAlerts,
  readPendingDeliveries,
  readRecentlyResolved,
} from './sections/alerts.js';
import { type GateView, readGate } from './sections/gate.js';
import { type GradingView, readGrading } from './sections/grading.js';
import { type RetryView, readRetries } from './sections/retries.js';
import { SUCCESS_RATE_DAYS, type SuccessRate, successRates } from './sections/success-rates.js';
import { readTransitions, type TransitionTimeline } from './sections/transitions.js';

export type { OpenAlertView, PendingDeliveryView, ResolvedAlertView } from './sections/alerts.js';
export type { GateCheckView, GateView } from './sections/gate.js';
export type { GradingSystemView, GradingView } from './sections/grading.js';
export type { RetryView } from './sections/retries.js';
export { SUCCESS_RATE_DAYS, type SuccessRate } from './sections/success-rates.js';
export type { ProcessorTimelineEntry, TransitionTimeline } from './sections/transitions.js';

export interface StatusReadDependencies {
  config: PipelineConfig;
  clock: Clock;
  state: StateStore;
  objects: ObjectStore;
}

export interface DaySnapshot {
  date: string;
  transitions: TransitionTimeline[];
  gate: GateView | null;
  retries: RetryView[];
  grading: GradingView | null;
}

export interface StatusSnapshot {
  generated_at: string;
  pipeline: string;
  time_zone: string;
  date: string;
  /** the date first, then the days before it */
  days: DaySnapshot[];
  success_rates: SuccessRate[];
  success_rate_window: { from: string; to: string };
  open_alerts: OpenAlertView[];
  /** conditions resolved in the last 24 hours, newest first */
  recently_resolved: ResolvedAlertView[];
  pending_deliveries: PendingDeliveryView[];
  /** what could not be read, in words (a backend error shows here, not as a crash) */
  problems: string[];
}

async function readDay(deps: StatusReadDependencies, date: string, problems: string[]): Promise<DaySnapshot> {
  const [transitions, gate, retries, grading] = await Promise.all([
    readTransitions(deps, date, problems),
    readGate(deps, date, problems),
    readRetries(deps, date, problems),
    readGrading(deps, date, problems),
  ]);
  return { date, transitions, gate, retries, grading };
}

/**
 * The status of `date` and the `days - 1` days before it, with 14-day
 * processor success rates, open alerts and deliveries still pending.
 */
export async function readStatusSnapshot(
  deps: StatusReadDependencies,
  date: string,
  days: number,
): Promise<StatusSnapshot> {
  const problems: string[] = [];
  const dates = Array.from({ length: days }, (_, back) => addDays(date, -back));
  const [daySnapshots, rates, alerts, resolved, deliveries] = await Promise.all([
    Promise.all(dates.map((day) => readDay(deps, day, problems))),
    successRates(deps, date, problems),
    readOpenAlerts(deps, problems),
    readRecentlyResolved(deps, problems),
    readPendingDeliveries(deps, problems),
  ]);
  return {
    generated_at: deps.clock.now().toISOString(),
    pipeline: deps.config.name,
    time_zone: deps.config.project.time_zone,
    date,
    days: daySnapshots,
    success_rates: rates,
    success_rate_window: { from: addDays(date, -(SUCCESS_RATE_DAYS - 1)), to: date },
    open_alerts: alerts,
    recently_resolved: resolved,
    pending_deliveries: deliveries,
    problems,
  };
}
