import type { AlertRule } from '../messages/alert.js';

/**
 * Where each rule's condition is found to be over, and on which run. Every
 * rule has one (a `Record` over the rule names, so a new rule does not
 * compile without it); `test/unit/domain/alert-lifecycle.test.ts` checks that
 * each named file really resolves the rule. Any dated condition also closes
 * once its date leaves the watch window (`outsideWatchWindow`).
 */
export interface RuleResolution {
  /** the source file that resolves it */
  file: string;
  /** the run that checks it: every one is scheduled, so nothing stays open for want of an event */
  checked_on:
    | 'alertMonitor tick (5 min)'
    | 'its raiser’s tick'
    | 'hourly probe'
    | 'Monitoring close, and the alertMonitor tick';
  clears_when: string;
}

const MONITOR = 'functions/alertMonitor/tick-rules.ts';
const EVENTS = 'functions/alertMonitor/clear-conditions.ts';

export const RULE_RESOLUTION: Readonly<Record<AlertRule, RuleResolution>> = Object.freeze({
  phase_completion_low: {
    file: MONITOR,
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'the completions of the date no longer support it',
  },
  critical_processor_missing: {
    file: MONITOR,
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'the processor completed',
  },
  processor_missing: {
    file: MONITOR,
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'the processor completed',
  },
  data_stale: {
    file: 'shared/domain/alert-rules.ts',
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'the table was processed within the threshold of the predictions',
  },
  prediction_volume_low: {
    file: 'shared/domain/alert-rules.ts',
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'the date has enough active predictions',
  },
  record_count_low: {
    file: EVENTS,
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'the checker’s stored count meets the expectation',
  },
  record_count_mismatch: {
    file: EVENTS,
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'the checker’s stored count and the message agree',
  },
  retry_exhausted: {
    file: EVENTS,
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'the checker’s stored count meets the expectation',
  },
  retry_circuit_open: {
    file: EVENTS,
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'the processor’s circuit breaker closed',
  },
  table_missing: {
    file: EVENTS,
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'the table is readable again',
  },
  dead_letter: {
    file: EVENTS,
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'the function refused nothing for the quiet period',
  },
  outbox_rejected: {
    file: EVENTS,
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'no request was refused for the quiet period',
  },
  outbox_stuck: {
    file: EVENTS,
    checked_on: 'alertMonitor tick (5 min)',
    clears_when: 'no pending entry carries it (sent, or given up as the notice said)',
  },
  worker_errors: {
    file: EVENTS,
    checked_on: 'Monitoring close, and the alertMonitor tick',
    clears_when: 'the Cloud Monitoring incident closed',
  },
  gate_blocked_at_cutoff: {
    file: 'functions/freshnessGate/run-gate.ts',
    checked_on: 'its raiser’s tick',
    clears_when: 'the gate opened after the cutoff',
  },
  grading_below_baseline: {
    file: 'functions/liveGradingExport/grade-date.ts',
    checked_on: 'its raiser’s tick',
    clears_when: 'the system is back above its baseline',
  },
  grading_export_stale: {
    file: 'functions/liveGradingExport/check-staleness.ts',
    checked_on: 'its raiser’s tick',
    clears_when: 'latest.json is being updated again, or no game is in progress',
  },
  probe_red: {
    file: 'shared/probe/dependency-probe.ts',
    checked_on: 'hourly probe',
    clears_when: 'the check is green again',
  },
});
