import type { AlertRule, AlertSeverity } from '../messages/alert.js';
import { minutesBetween } from './calendar.js';

/**
 * When people hear about the alerts of one pipeline date, as a pure decision
 * (Alertmanager's grouping, with the group being the date):
 * - the first notice goes out `group_wait_minutes` after the first condition
 *   opened, listing every condition open by then (a burst is one message);
 * - while nothing changes, a reminder at most every `repeat_interval_minutes`;
 * - a condition added, or one that got more severe, is told at the next flush
 *   once `group_wait_minutes` have passed since that change;
 * - a condition that improves or clears while others stay open is not a
 *   notice of its own: the next notice lists it under "resolved since";
 * - when the last condition clears, one `resolved` notice, and only when
 *   people had been told (a condition that opened and cleared inside the
 *   group wait never reaches anyone).
 */

export const SEVERITY_RANK: Record<AlertSeverity, number> = { INFO: 0, WARNING: 1, ERROR: 2, CRITICAL: 3 };

export interface GroupingPolicy {
  group_wait_minutes: number;
  repeat_interval_minutes: number;
}

/** One condition of the group as the group document keeps it. */
export interface GroupCondition {
  key: string;
  rule: AlertRule;
  subject: string;
  severity: AlertSeverity;
  message: string;
  status: 'open' | 'resolved';
  /** when it (last) opened */
  opened_at: string;
  /** when it cleared (status `resolved`) */
  resolved_at?: string | null;
  resolution_message?: string | null;
}

export interface AlertGroupState {
  /** conditions by alert document id, open or cleared since the group opened */
  conditions: Record<string, GroupCondition>;
  /** what people were last told: each condition's severity then; null when nothing is open as far as they know */
  notified: { at: string; severities: Record<string, AlertSeverity> } | null;
  /** the oldest change people have not been told about yet (the group wait counts from it) */
  changed_at: string | null;
}

export type GroupNoticeKind = 'opened' | 'updated' | 'reminder' | 'resolved';

export interface GroupNoticeDecision {
  kind: GroupNoticeKind;
  /** the highest severity among open conditions (INFO for `resolved`) */
  severity: AlertSeverity;
  /** open conditions, most severe first; each flagged when new or worse since the last notice */
  open: Array<GroupCondition & { id: string; change: 'new' | 'worse' | null }>;
  /** conditions that cleared since the last notice */
  cleared: Array<GroupCondition & { id: string }>;
}

const openConditions = (state: AlertGroupState) =>
  Object.entries(state.conditions).filter(([, condition]) => condition.status === 'open');

/** Whether a raise of `severity` for condition `id` is news to the people told last. */
export function isNews(state: AlertGroupState, id: string, severity: AlertSeverity): boolean {
  const told = state.notified?.severities[id];
  return told === undefined || SEVERITY_RANK[severity] > SEVERITY_RANK[told];
}

export function decideGroupNotice(
  state: AlertGroupState,
  now: Date,
  policy: GroupingPolicy,
): GroupNoticeDecision | undefined {
  const open = openConditions(state);
  const told = state.notified?.severities ?? {};
  const cleared = Object.entries(state.conditions)
    .filter(([id, condition]) => condition.status === 'resolved' && id in told)
    .map(([id, condition]) => ({ ...condition, id }));
  if (open.length === 0) {
    if (!state.notified) return undefined;
    return { kind: 'resolved', severity: 'INFO', open: [], cleared };
  }
  const listed = open
    .map(([id, condition]) => ({
      ...condition,
      id,
      change:
        told[id] === undefined
          ? ('new' as const)
          : SEVERITY_RANK[condition.severity] > SEVERITY_RANK[told[id]!]
            ? ('worse' as const)
            : null,
    }))
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
        a.opened_at.localeCompare(b.opened_at) ||
        a.key.localeCompare(b.key),
    );
  const severity = listed[0]!.severity;
  const waited =
    state.changed_at !== null && minutesBetween(new Date(state.changed_at), now) >= policy.group_wait_minutes;
  const news = listed.some((condition) => condition.change !== null);
  if (!state.notified) return waited ? { kind: 'opened', severity, open: listed, cleared } : undefined;
  if (news) return waited ? { kind: 'updated', severity, open: listed, cleared } : undefined;
  if (minutesBetween(new Date(state.notified.at), now) >= policy.repeat_interval_minutes)
    return { kind: 'reminder', severity, open: listed, cleared };
  return undefined;
}

/** The group after `decision` went out at `now`: what people now know. */
export function afterNotice(
  state: AlertGroupState,
  decision: GroupNoticeDecision,
  now: Date,
): AlertGroupState {
  if (decision.kind === 'resolved') return { ...state, notified: null, changed_at: null };
  return {
    ...state,
    notified: {
      at: now.toISOString(),
      severities: Object.fromEntries(decision.open.map((condition) => [condition.id, condition.severity])),
    },
    changed_at: null,
  };
}

/** The one-line summary of a notice (the detail lists every condition). */
export function noticeHeadline(gameDate: string | undefined, decision: GroupNoticeDecision): string {
  const where = gameDate ? `for ${gameDate}` : 'without a date';
  if (decision.kind === 'resolved')
    return `All clear ${where}: ${decision.cleared.length} condition(s) resolved`;
  const count = decision.open.length;
  const lead = decision.open[0]!;
  const others = count > 1 ? ` (+${count - 1} more)` : '';
  const verb = { opened: 'Problem', updated: 'Changed', reminder: 'Still open' }[decision.kind];
  return `${verb} ${where}: ${lead.message}${others}`;
}

/** Condition ids that are still open but whose date left the watch window: closed without a fix. */
export function outOfWindow(gameDate: string | undefined, oldestWatched: string): boolean {
  return gameDate !== undefined && gameDate < oldestWatched;
}
