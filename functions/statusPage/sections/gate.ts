/**
 * The freshness gate: `freshness_gate/{date}` (freshnessGate): `status`,
 * `reasons[]`, `evaluated_at`, `cutoff_at`, `checks[]`, `history[]`,
 * `opened`, `_triggered`, `override`.
 */
import { DEFAULT_COLLECTIONS } from '../../../shared/config/collections.js';
import type { StateDocument } from '../../../shared/ports/state-store.port.js';
import type { StatusReadDependencies } from '../read-status.js';
import { attempt, count, flag, list, readable, record, text, texts } from './fields.js';

export const GATE_COLLECTION = DEFAULT_COLLECTIONS.freshness_gate;

export interface GateCheckView {
  table: string;
  level: string | null;
  findings: string[];
  rows: number | null;
  expected_rows: number | null;
  newest_processed_at: string | null;
  age_hours: number | null;
}

export interface GateView {
  status: string | null;
  reasons: string[];
  evaluated_at: string | null;
  cutoff_at: string | null;
  opened_at: string | null;
  triggered: boolean | null;
  override_by: string | null;
  checks: GateCheckView[];
  history: Array<{ at: string; status: string; source: string | null }>;
}

export function gateView(document: StateDocument | undefined): GateView | null {
  if (!document) return null;
  const opened = record(document.opened);
  return {
    status: text(document.status),
    reasons: texts(document.reasons),
    evaluated_at: text(document.evaluated_at),
    cutoff_at: text(document.cutoff_at),
    opened_at: text(opened.at),
    triggered: flag(document._triggered),
    override_by: text(record(document.override).recorded_by),
    checks: list(document.checks).map((item) => {
      const check = record(item);
      return {
        table: text(check.table) ?? '(unnamed table)',
        level: text(check.level),
        findings: list(check.findings).flatMap((finding) => text(record(finding).reason) ?? []),
        rows: count(check.rows),
        expected_rows: count(check.expected_rows),
        newest_processed_at: text(check.newest_processed_at),
        age_hours: count(check.age_hours),
      };
    }),
    history: readable(document.history, (entry) => {
      const at = text(entry.at);
      const status = text(entry.status);
      return at && status ? { at, status, source: text(entry.source) } : undefined;
    }),
  };
}

export async function readGate(
  deps: StatusReadDependencies,
  date: string,
  problems: string[],
): Promise<GateView | null> {
  return gateView(
    await attempt(
      problems,
      `${GATE_COLLECTION}/${date}`,
      () => deps.state.get(`${GATE_COLLECTION}/${date}`),
      undefined,
    ),
  );
}
