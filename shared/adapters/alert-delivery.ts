import type { GroupNoticeKind } from '../domain/alert-grouping.js';
import type { Logger, Severity } from '../logging/logger.js';
import type { AlertRule, AlertSeverity } from '../messages/alert.js';
import type { Clock } from '../ports/clock.port.js';
import type { StateDocument, StateStore, StateTransaction } from '../ports/state-store.port.js';

/** One document per (notice, channel) until the channel has taken it: the tick re-drives pending ones. */
export const ALERT_DELIVERIES_COLLECTION = 'shotclock_alert_deliveries';

/** How long a sender holds a delivery before another instance may retry it. */
const CLAIM_MINUTES = 2;
/** A delivery document is kept this long after it is created (Firestore TTL on `expire_at`). */
export const DELIVERY_RETENTION_DAYS = 14;

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

/** What a channel is asked to deliver: one notice about every condition of a pipeline date. */
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

/** A way of telling people: Slack, the alerts topic. Throws when the notice was not taken. */
export interface AlertChannel {
  readonly name: string;
  deliver(notice: AlertNotice): Promise<void>;
}

export interface AlertDelivery {
  id: string;
  group: string;
  channel: string;
  notice: AlertNotice;
  state: 'pending' | 'delivered';
  attempts: number;
  created_at: string;
  claimed_until: string;
  last_attempt_at?: string;
  last_error?: string;
  delivered_at?: string;
  expire_at: string;
}

function plusMinutes(at: Date, minutes: number): string {
  return new Date(at.getTime() + minutes * 60_000).toISOString();
}

/**
 * Getting decided notices to their channels: queued in the decision's
 * transaction (one document per channel), sent right after it commits, and
 * re-sent by the tick while a channel refuses. A structured log entry at the
 * notice's severity is written for every notice, whatever the channels do.
 */
export class AlertDeliveries {
  constructor(
    private readonly options: {
      state: StateStore;
      clock: Clock;
      logger: Logger;
      channels: readonly AlertChannel[];
    },
  ) {}

  queue(tx: StateTransaction, noticeId: string, notice: AlertNotice, now: Date): void {
    for (const channel of this.options.channels) {
      const delivery: AlertDelivery = {
        id: `${noticeId}__${channel.name}`,
        group: notice.key,
        channel: channel.name,
        notice,
        state: 'pending',
        attempts: 0,
        created_at: now.toISOString(),
        claimed_until: plusMinutes(now, CLAIM_MINUTES),
        expire_at: plusMinutes(now, DELIVERY_RETENTION_DAYS * 24 * 60),
      };
      tx.create(`${ALERT_DELIVERIES_COLLECTION}/${delivery.id}`, delivery as unknown as StateDocument);
    }
  }

  /** Log entry first (it cannot fail), then each channel; failures stay pending. */
  async send(noticeId: string, notice: AlertNotice): Promise<void> {
    const severity: Severity = notice.kind === 'resolved' ? 'NOTICE' : notice.severity;
    this.options.logger.log(severity, notice.message, {
      alert_group: notice.key,
      notice: notice.kind,
      rule: notice.rule,
      rules: notice.conditions.map((condition) => condition.rule),
      game_date: notice.game_date,
      status_url: notice.status_url,
    });
    await Promise.all(
      this.options.channels.map((channel) => this.attempt(`${noticeId}__${channel.name}`, channel, notice)),
    );
  }

  private async attempt(id: string, channel: AlertChannel, notice: AlertNotice): Promise<boolean> {
    const path = `${ALERT_DELIVERIES_COLLECTION}/${id}`;
    const started = this.options.clock.now().toISOString();
    try {
      await channel.deliver(notice);
    } catch (error) {
      const reason = (error as Error).message;
      const current = (await this.options.state.get(path)) as unknown as AlertDelivery | undefined;
      await this.options.state.merge(path, {
        attempts: (current?.attempts ?? 0) + 1,
        last_attempt_at: started,
        last_error: reason,
      });
      this.options.logger.warning(`alert delivery to ${channel.name} failed; left pending for the tick`, {
        alert_group: notice.key,
        channel: channel.name,
        delivery_id: id,
        error: reason,
      });
      return false;
    }
    const current = (await this.options.state.get(path)) as unknown as AlertDelivery | undefined;
    await this.options.state.merge(path, {
      state: 'delivered',
      attempts: (current?.attempts ?? 0) + 1,
      last_attempt_at: started,
      delivered_at: this.options.clock.now().toISOString(),
    });
    return true;
  }

  /**
   * Sends every delivery still pending whose claim has lapsed (the scheduler
   * tick). Each one is claimed in a transaction first, so two ticks never
   * send the same notice twice.
   */
  async redeliverPending(): Promise<{ delivered: number; failed: number }> {
    const now = this.options.clock.now();
    const pending = await this.options.state.list(ALERT_DELIVERIES_COLLECTION, [
      { field: 'state', op: '==', value: 'pending' },
    ]);
    const channels = new Map(this.options.channels.map((channel) => [channel.name, channel]));
    let delivered = 0;
    let failed = 0;
    for (const document of pending) {
      const delivery = document.data as unknown as AlertDelivery;
      const channel = channels.get(delivery.channel);
      if (!channel || delivery.claimed_until > now.toISOString()) continue;
      const claimed = await this.options.state.transaction(async (tx) => {
        const current = (await tx.get(document.path)) as unknown as AlertDelivery | undefined;
        if (current?.state !== 'pending' || current.claimed_until > now.toISOString()) return false;
        tx.merge(document.path, { claimed_until: plusMinutes(now, CLAIM_MINUTES) });
        return true;
      });
      if (!claimed) continue;
      if (await this.attempt(document.id, channel, delivery.notice)) delivered += 1;
      else failed += 1;
    }
    if (delivered + failed > 0)
      this.options.logger.info('re-drove pending alert deliveries', { delivered, still_pending: failed });
    return { delivered, failed };
  }
}
