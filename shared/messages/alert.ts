import { z } from 'zod';
import { GameDate, IsoTimestamp } from './primitives.js';

export const AlertSeverity = z.enum(['INFO', 'WARNING', 'ERROR', 'CRITICAL']);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

export const AlertRule = z.enum([
  'phase_completion_low',
  'critical_processor_missing',
  'processor_missing',
  'data_stale',
  'record_count_low',
  'record_count_mismatch',
  'retry_exhausted',
  'retry_circuit_open',
  'gate_blocked_at_cutoff',
  'grading_below_baseline',
  'grading_export_stale',
  'prediction_volume_low',
  'worker_errors',
  'dead_letter',
  'probe_red',
  'table_missing',
  'outbox_stuck',
  'outbox_rejected',
]);
export type AlertRule = z.infer<typeof AlertRule>;

/** An alert: stable `key` (rule + subject + date) so repeats deduplicate. */
export const Alert = z.object({
  key: z.string().min(1),
  rule: AlertRule,
  severity: AlertSeverity,
  subject: z.string(),
  game_date: GameDate.optional(),
  message: z.string().min(1),
  details: z.record(z.string(), z.unknown()).optional(),
  raised_at: IsoTimestamp,
  status_url: z.string().optional(),
  /**
   * Set when the alert is about an operation that is retried (a re-run, a
   * publish). The sink records earlier attempts but tells people only on the
   * final one: `attempt >= max_attempts`, or `final: true` when the caller
   * knows no further attempt will happen (a cutoff passed).
   */
  retry: z
    .object({
      attempt: z.number().int().positive(),
      max_attempts: z.number().int().positive(),
      final: z.boolean().optional(),
    })
    .optional(),
});
export type Alert = z.infer<typeof Alert>;

/** True when the alert may reach people now (not an intermediate attempt of a retried operation). */
export function isFinalAttempt(alert: Pick<Alert, 'retry'>): boolean {
  if (!alert.retry) return true;
  return alert.retry.final === true || alert.retry.attempt >= alert.retry.max_attempts;
}

export const AlertResolution = z.object({
  key: z.string().min(1),
  message: z.string(),
  resolved_at: IsoTimestamp,
});
export type AlertResolution = z.infer<typeof AlertResolution>;

export function alertKey(rule: AlertRule, subject: string, gameDate?: string): string {
  return [rule, subject, gameDate].filter(Boolean).join(':');
}
