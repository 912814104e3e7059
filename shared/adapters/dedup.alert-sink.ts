import {
  afterNotice,
  decideGroupNotice,
  type GroupCondition,
  type GroupingPolicy,
  type GroupNoticeDecision,
  isNews,
  noticeHeadline,
} from '../domain/alert-grouping.js';
import type { Logger } from '../logging/logger.js';
import { type Alert, type AlertResolution, isFinalAttempt } from '../messages/alert.js';
import type { AlertSink } from '../ports/alert-sink.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { StateStore, StateTransaction } from '../ports/state-store.port.js';
import { KeyedQueue } from '../runtime/keyed-queue.js';
import type { AlertDeliveries } from './alert-delivery.js';
import { type AlertNotice, noticeFor } from './alert-notice.js';
import {
  ALERT_GROUPS_COLLECTION,
  ALERT_RETENTION_DAYS,
  ALERTS_COLLECTION,
  type AlertGroupRecord,
  type AlertRecord,
  alertDocumentId,
  groupIdFor,
  groupKeyFor,
} from './alert-records.js';

export type { AlertNotice } from './alert-notice.js';
export * from './alert-records.js';

export interface DedupAlertSinkOptions {
  state: StateStore;
  clock: Clock;
  logger: Logger;
  deliveries: AlertDeliveries;
  grouping: GroupingPolicy;
  /** the status page, linked from every notice (`?date=` is appended when the group has a date) */
  statusPageUrl: string;
}

const plusDays = (at: Date, days: number) => new Date(at.getTime() + days * 86_400_000).toISOString();

type Decided = { noticeId: string; notice: AlertNotice } | undefined;

/** Transactions on one date's group document, one at a time per instance. */
const groupQueue = new KeyedQueue();

/**
 * The sink every function raises through. A raise or resolve only records the
 * condition (its own document) and its place in the date's group, in one
 * transaction; whether people hear of it now is the grouping decision
 * (`shared/domain/alert-grouping.ts`), taken in the same transaction and again
 * by `flush` on every tick, so a notice is decided exactly once whichever
 * instance gets there first. The notice lists every open condition of the
 * date; its deliveries are queued in the same transaction.
 */
export class DedupAlertSink implements AlertSink {
  constructor(private readonly options: DedupAlertSinkOptions) {}

  private statusUrl(gameDate: string | undefined): string {
    const base = this.options.statusPageUrl;
    if (!gameDate) return base;
    return `${base}${base.includes('?') ? '&' : '?'}date=${gameDate}`;
  }

  async raise(alert: Alert): Promise<void> {
    const now = this.options.clock.now();
    const id = alertDocumentId(alert.key);
    const path = `${ALERTS_COLLECTION}/${id}`;
    const groupId = groupIdFor(alert.game_date);
    let decided: Decided;
    let waiting = false;
    try {
      if (await this.recordRepeat(path, alert, now)) return;
      decided = await groupQueue.run(groupId, () =>
        this.options.state.transaction(async (tx) => {
          const record = (await tx.get(path)) as AlertRecord | undefined;
          const group = await this.readGroup(tx, groupId);
          const at = now.toISOString();
          const open = record?.status === 'open';
          const held = record?.status === 'waiting';
          const latest = {
            key: alert.key,
            rule: alert.rule,
            subject: alert.subject,
            ...(alert.game_date ? { game_date: alert.game_date } : {}),
            message: alert.message,
            details: alert.details ?? {},
            severity: alert.severity,
            status_url: alert.status_url ?? this.statusUrl(alert.game_date),
            group: groupId,
            last_raised_at: at,
            raise_count: open || held ? (record?.raise_count ?? 0) + 1 : 1,
            retry: alert.retry ?? null,
            expire_at: plusDays(now, ALERT_RETENTION_DAYS),
          };
          const firstRaisedAt = open || held ? (record?.first_raised_at ?? at) : at;
          if (!isFinalAttempt(alert) && !open) {
            waiting = true;
            tx.merge(path, { ...latest, status: 'waiting', first_raised_at: firstRaisedAt, notice_count: 0 });
            return undefined;
          }
          tx.merge(path, {
            ...latest,
            status: 'open',
            first_raised_at: firstRaisedAt,
            notice_count: open ? (record?.notice_count ?? 0) : 0,
            resolved_at: null,
            resolution_message: null,
          });
          const condition: GroupCondition = {
            key: alert.key,
            rule: alert.rule,
            subject: alert.subject,
            severity: alert.severity,
            message: alert.message,
            status: 'open',
            opened_at: open ? (group.conditions[id]?.opened_at ?? firstRaisedAt) : at,
            resolved_at: null,
            resolution_message: null,
          };
          const news = isNews(group, id, alert.severity);
          const next: AlertGroupRecord = {
            ...group,
            conditions: { ...group.conditions, [id]: condition },
            changed_at: news ? (group.changed_at ?? at) : group.changed_at,
            status: 'open',
            opened_at: group.status === 'open' ? group.opened_at : at,
            episode_notices: group.status === 'open' ? group.episode_notices : 0,
            listed: group.status === 'open' ? group.listed : {},
            resolved_at: null,
          };
          return this.decideAndWrite(tx, next, now, { remind: false });
        }),
      );
    } catch (error) {
      // The state store is down: the log entry still tells people; the caller retries the raise.
      this.options.logger.log(alert.severity, alert.message, {
        alert_key: alert.key,
        rule: alert.rule,
        alert_state_error: (error as Error).message,
      });
      throw error;
    }
    const fields = { alert_key: alert.key, rule: alert.rule, game_date: alert.game_date };
    if (waiting)
      this.options.logger.info(`alert held until the final attempt: ${alert.message}`, {
        ...fields,
        attempt: alert.retry?.attempt,
        max_attempts: alert.retry?.max_attempts,
      });
    else if (!decided) this.options.logger.debug(`alert condition recorded: ${alert.message}`, fields);
    if (decided) await this.options.deliveries.send(decided.noticeId, decided.notice, this);
  }

  /**
   * The common case, a condition raised again as it stands (every tick while
   * it holds): nothing the group must decide, so no transaction on the date's
   * group document, which every raiser of the date would otherwise contend on.
   */
  private async recordRepeat(path: string, alert: Alert, now: Date): Promise<boolean> {
    const record = (await this.options.state.get(path)) as AlertRecord | undefined;
    if (record?.status !== 'open' || record.severity !== alert.severity) return false;
    await this.options.state.merge(path, {
      message: alert.message,
      details: alert.details ?? {},
      last_raised_at: now.toISOString(),
      raise_count: (record.raise_count ?? 0) + 1,
      expire_at: plusDays(now, ALERT_RETENTION_DAYS),
    });
    return true;
  }

  async resolve(resolution: AlertResolution): Promise<void> {
    const now = this.options.clock.now();
    const id = alertDocumentId(resolution.key);
    const path = `${ALERTS_COLLECTION}/${id}`;
    // Most clears are about conditions that never opened: one read, no transaction.
    const current = (await this.options.state.get(path)) as AlertRecord | undefined;
    if (!current || current.status === 'resolved') return;
    const groupId = current.group ?? groupIdFor(current.game_date);
    const decided = await groupQueue.run(groupId, () =>
      this.options.state.transaction(async (tx) => {
        const record = (await tx.get(path)) as AlertRecord | undefined;
        if (!record || record.status === 'resolved') return undefined;
        const group = await this.readGroup(tx, groupId);
        const at = now.toISOString();
        tx.merge(path, {
          status: 'resolved',
          resolved_at: at,
          resolution_message: resolution.message,
          expire_at: plusDays(now, ALERT_RETENTION_DAYS),
        });
        // Nobody was told it was wrong (held for a final attempt), so nobody is told it is right again.
        if (record.status === 'waiting') return undefined;
        const condition = group.conditions[id];
        if (!condition) return undefined;
        const next: AlertGroupRecord = {
          ...group,
          conditions: {
            ...group.conditions,
            [id]: {
              ...condition,
              status: 'resolved',
              resolved_at: at,
              resolution_message: resolution.message,
            },
          },
        };
        return this.decideAndWrite(tx, next, now, { remind: false });
      }),
    );
    if (decided) await this.options.deliveries.send(decided.noticeId, decided.notice, this);
  }

  /**
   * Takes the grouping decision for every open group (called on the tick):
   * first notices whose group wait is over, reminders that are due. Dates
   * before `remindFrom` get no reminders (a day that has passed does not nag;
   * a change or its resolution is still told). Returns the notices sent.
   */
  async flush(options: { remindFrom?: string } = {}): Promise<AlertNotice[]> {
    const groups = await this.options.state.list(ALERT_GROUPS_COLLECTION, [
      { field: 'status', op: '==', value: 'open' },
    ]);
    const sent: AlertNotice[] = [];
    for (const document of groups) {
      const now = this.options.clock.now();
      const decided = await groupQueue.run(document.id, () =>
        this.options.state.transaction(async (tx) =>
          this.decideAndWrite(tx, await this.readGroup(tx, document.id), now, {
            remind: !options.remindFrom || document.id === 'undated' || document.id >= options.remindFrom,
          }),
        ),
      );
      if (!decided) continue;
      await this.options.deliveries.send(decided.noticeId, decided.notice, this);
      sent.push(decided.notice);
    }
    return sent;
  }

  /** Re-drives notices a destination refused (the alert monitor's tick); returns how many went out. */
  redeliverPending(): Promise<number> {
    return this.options.deliveries.redeliverPending(this);
  }

  private async readGroup(tx: StateTransaction, groupId: string): Promise<AlertGroupRecord> {
    const stored = (await tx.get(`${ALERT_GROUPS_COLLECTION}/${groupId}`)) as AlertGroupRecord | undefined;
    const now = this.options.clock.now();
    const gameDate = groupId === 'undated' ? undefined : groupId;
    return {
      group: groupId,
      key: groupKeyFor(groupId),
      ...(gameDate ? { game_date: gameDate } : {}),
      status: 'resolved',
      status_url: this.statusUrl(gameDate),
      opened_at: now.toISOString(),
      notices_sent: 0,
      episode_notices: 0,
      listed: {},
      conditions: {},
      notified: null,
      changed_at: null,
      expire_at: plusDays(now, ALERT_RETENTION_DAYS),
      ...stored,
    };
  }

  /** Writes the group and, when the grouping decision says so, the notice and its deliveries. */
  private decideAndWrite(
    tx: StateTransaction,
    group: AlertGroupRecord,
    now: Date,
    /** reminders come from `flush` only: a raise or a clear is not the moment to repeat the rest */
    { remind }: { remind: boolean },
  ): Decided {
    const decided = decideGroupNotice(group, now, this.options.grouping);
    const decision = decided?.kind === 'reminder' && !remind ? undefined : decided;
    const path = `${ALERT_GROUPS_COLLECTION}/${group.group}`;
    const expire_at = plusDays(now, ALERT_RETENTION_DAYS);
    if (!decision) {
      // Opened and cleared inside the group wait: nobody was told, so the group closes silently.
      const quiet = !group.notified && !Object.values(group.conditions).some((c) => c.status === 'open');
      tx.merge(path, { ...group, ...(quiet ? { status: 'resolved' } : {}), expire_at });
      return undefined;
    }
    const told = afterNotice(group, decision, now);
    const at = now.toISOString();
    const listed = { ...group.listed };
    for (const condition of decision.open) listed[condition.id] = (listed[condition.id] ?? 0) + 1;
    for (const condition of decision.open)
      tx.merge(`${ALERTS_COLLECTION}/${condition.id}`, { notice_count: listed[condition.id] });
    const resolved = decision.kind === 'resolved';
    const sequence = group.notices_sent + 1;
    tx.merge(path, {
      ...told,
      group: group.group,
      key: group.key,
      status: resolved ? 'resolved' : 'open',
      notices_sent: sequence,
      episode_notices: group.episode_notices + 1,
      last_notice_at: at,
      last_notice_kind: decision.kind,
      resolved_at: resolved ? at : null,
      listed,
      expire_at,
    });
    const notice = this.noticeFor(group, decision, group.episode_notices + 1, at);
    const noticeId = `${group.group}__${sequence}`;
    this.options.deliveries.queue(tx, noticeId, notice);
    return { noticeId, notice };
  }

  private noticeFor(
    group: AlertGroupRecord,
    decision: GroupNoticeDecision,
    sequence: number,
    at: string,
  ): AlertNotice {
    return noticeFor(group, decision, noticeHeadline(group.game_date, decision), sequence, at);
  }
}
