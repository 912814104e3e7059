import type { GroupCondition, GroupNoticeDecision, GroupNoticeKind } from '../domain/alert-grouping.js';
import type { AlertRule, AlertSeverity } from '../messages/alert.js';

/** One condition as a notice lists it. */
export interface NoticeCondition {
  key: string;
  rule: AlertRule;
  subject: string;
  severity: AlertSeverity;
  message: string;
  opened_at: string;
  /** `new` / `worse` since the previous notice of the group */
  change?: 'new' | 'worse' | null;
  resolved_at?: string | null;
}

/** What people are told: one notice about every condition of a pipeline date. */
export interface AlertNotice {
  kind: GroupNoticeKind;
  /** the group's key (`alerts:<date>` or `alerts:undated`): one thread per date */
  key: string;
  game_date?: string;
  /** highest severity among open conditions (INFO for `resolved`) */
  severity: AlertSeverity;
  /** the most severe open condition's rule (the first cleared one for `resolved`) */
  rule: AlertRule;
  /** one line: what it is about, for subjects and log lines */
  message: string;
  /** every condition open now, most severe first */
  conditions: NoticeCondition[];
  /** conditions that cleared since the previous notice */
  resolved: NoticeCondition[];
  status_url: string;
  /** 1 for the group's first notice of this episode, counting up */
  sequence: number;
  /** when the group opened (its first condition) */
  opened_at: string;
  /** when the notice was decided */
  at: string;
}

/** The group a notice is about, as the sink keeps it. */
export interface NoticeGroup {
  key: string;
  game_date?: string;
  status_url: string;
  opened_at: string;
}

function noticeCondition(condition: GroupCondition & { change?: 'new' | 'worse' | null }): NoticeCondition {
  return {
    key: condition.key,
    rule: condition.rule,
    subject: condition.subject,
    severity: condition.severity,
    message:
      condition.status === 'resolved' && condition.resolution_message
        ? condition.resolution_message
        : condition.message,
    opened_at: condition.opened_at,
    ...(condition.change !== undefined ? { change: condition.change } : {}),
    ...(condition.resolved_at ? { resolved_at: condition.resolved_at } : {}),
  };
}

/** The notice a grouping decision tells people. */
export function noticeFor(
  group: NoticeGroup,
  decision: GroupNoticeDecision,
  headline: string,
  sequence: number,
  at: string,
): AlertNotice {
  const lead = decision.open[0] ?? decision.cleared[0];
  return {
    kind: decision.kind,
    key: group.key,
    ...(group.game_date ? { game_date: group.game_date } : {}),
    severity: decision.severity,
    rule: lead?.rule ?? 'dead_letter',
    message: headline,
    conditions: decision.open.map(noticeCondition),
    resolved: decision.cleared.map(noticeCondition),
    status_url: group.status_url,
    sequence,
    opened_at: group.opened_at,
    at,
  };
}

/**
 * The alerts topic's message for a notice. The data keeps the fields of an
 * `Alert` (`key`, `rule`, `severity`, `message`, `raised_at`; `resolved_at`
 * for a resolved notice) so a subscriber that only knows single alerts still
 * reads it, plus every condition of the group.
 */
export function alertTopicMessage(notice: AlertNotice): {
  data: Record<string, unknown>;
  attributes: Record<string, string>;
} {
  const resolved = notice.kind === 'resolved';
  return {
    data: {
      key: notice.key,
      rule: notice.rule,
      severity: notice.severity,
      ...(notice.game_date ? { game_date: notice.game_date } : {}),
      message: notice.message,
      notice: notice.kind,
      sequence: notice.sequence,
      conditions: notice.conditions,
      resolved_conditions: notice.resolved,
      status_url: notice.status_url,
      opened_at: notice.opened_at,
      ...(resolved ? { resolved_at: notice.at } : { raised_at: notice.at }),
    },
    attributes: {
      kind: resolved ? 'resolved' : 'alert',
      notice: notice.kind,
      rule: notice.rule,
      severity: notice.severity,
      key: notice.key,
    },
  };
}
