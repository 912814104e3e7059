import type { Logger, Severity } from '../logging/logger.js';
import { type Alert, type AlertResolution, type AlertSeverity, isFinalAttempt } from '../messages/alert.js';
import type { AlertSink } from '../ports/alert-sink.port.js';
import type { Bus } from '../ports/bus.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { StateDocument, StateStore, StateTransaction } from '../ports/state-store.port.js';

/** One document per alert key: whether it is open, when people last heard of it, how often it was raised. */
export const ALERTS_COLLECTION = 'shotclock_alerts';
/** One document per (notice, channel) until the channel has taken it: the tick re-drives pending ones. */
export const ALERT_DELIVERIES_COLLECTION = 'shotclock_alert_deliveries';

/** How long a sender holds a delivery before another instance may retry it. */
const CLAIM_MINUTES = 2;

export type AlertStatus = 'open' | 'resolved' | 'waiting';

/** What an alert says, as stored and as delivered. */
type AlertContent = Pick<Alert, 'key' | 'rule' | 'subject' | 'game_date' | 'message' | 'details'> & {
  severity: AlertSeverity;
  status_url: string;
};

/** What the sink keeps per alert key (`shotclock_alerts/{encoded key}`). */
export interface AlertRecord extends AlertContent {
  /** `waiting`: raised only by non-final attempts of a retried operation; nobody told yet */
  status: AlertStatus;
  first_raised_at: string;
  last_raised_at: string;
  last_notified_at?: string;
  /** raises since the alert opened (repeats inside the cooldown included) */
  raise_count: number;
  /** raises since people last heard of it */
  suppressed_since_notice: number;
  /** notices sent over the key's whole life (raised, repeat, resolved) */
  notice_seq: number;
  retry?: Alert['retry'];
  resolved_at?: string | null;
  resolution_message?: string | null;
}

/** What a channel is asked to deliver. */
export interface AlertNotice extends AlertContent {
  kind: 'raised' | 'repeat' | 'resolved';
  /** times raised since the alert opened */
  occurrences: number;
  first_raised_at: string;
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
  alert_key: string;
  channel: string;
  notice: AlertNotice;
  state: 'pending' | 'delivered';
  attempts: number;
  created_at: string;
  claimed_until: string;
  last_attempt_at?: string;
  last_error?: string;
  delivered_at?: string;
}

export interface DedupAlertSinkOptions {
  state: StateStore;
  clock: Clock;
  logger: Logger;
  channels: readonly AlertChannel[];
  cooldownMinutes: number;
  /** the status page, linked from every notice (`?date=` is appended when the alert has a date) */
  statusPageUrl: string;
}

type RaiseOutcome =
  | { kind: 'waiting'; count: number }
  | { kind: 'suppressed'; count: number }
  | { kind: 'notify'; notice: AlertNotice; noticeSeq: number };

const SEVERITY_RANK: Record<AlertSeverity, number> = { INFO: 0, WARNING: 1, ERROR: 2, CRITICAL: 3 };

/** Firestore ids cannot hold `/`; keys are encoded so any subject is safe. */
export function alertDocumentId(key: string): string {
  return encodeURIComponent(key).replace(/\./g, '%2E');
}

function plusMinutes(at: Date, minutes: number): string {
  return new Date(at.getTime() + minutes * 60_000).toISOString();
}

/**
 * The sink every function raises through. State lives in Firestore, keyed by
 * the alert key, and each decision is a transaction, so two instances (or a
 * cold start) never send the same alert twice:
 * - first raise: people are told (`raised`);
 * - raised again inside `cooldownMinutes` of the last notice: only counted;
 *   after it (or at a higher severity): told again (`repeat`) with the count;
 * - resolved while open: one `resolved` notice; a second resolve says nothing;
 * - raised for a non-final attempt of a retried operation: recorded as
 *   `waiting`, told only when the final attempt raises it.
 * Every notice is written as one pending delivery per channel inside the same
 * transaction, then sent; a channel that fails leaves its delivery pending for
 * `redeliverPending` (the scheduler tick). A structured log entry at the
 * alert's severity is written for every notice, whatever the channels do.
 */
export class DedupAlertSink implements AlertSink {
  constructor(private readonly options: DedupAlertSinkOptions) {}

  private statusUrl(gameDate: string | undefined, given?: string): string {
    if (given) return given;
    const base = this.options.statusPageUrl;
    if (!gameDate) return base;
    return `${base}${base.includes('?') ? '&' : '?'}date=${gameDate}`;
  }

  async raise(alert: Alert): Promise<void> {
    const now = this.options.clock.now();
    const path = `${ALERTS_COLLECTION}/${alertDocumentId(alert.key)}`;
    let outcome: RaiseOutcome;
    try {
      outcome = await this.options.state.transaction(async (tx) => {
        const record = (await tx.get(path)) as AlertRecord | undefined;
        return this.decideRaise(tx, path, record, alert, now);
      });
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
    if (outcome.kind === 'waiting') {
      this.options.logger.info(`alert held until the final attempt: ${alert.message}`, {
        ...fields,
        attempt: alert.retry?.attempt,
        max_attempts: alert.retry?.max_attempts,
      });
      return;
    }
    if (outcome.kind === 'suppressed') {
      this.options.logger.debug(`alert repeat inside cooldown: ${alert.message}`, {
        ...fields,
        occurrences: outcome.count,
      });
      return;
    }
    await this.announce(outcome.notice, outcome.noticeSeq);
  }

  private decideRaise(
    tx: StateTransaction,
    path: string,
    record: AlertRecord | undefined,
    alert: Alert,
    now: Date,
  ): RaiseOutcome {
    const at = now.toISOString();
    const open = record?.status === 'open';
    const waiting = record?.status === 'waiting';
    const count = open || waiting ? (record?.raise_count ?? 0) + 1 : 1;
    const latest = {
      key: alert.key,
      rule: alert.rule,
      subject: alert.subject,
      game_date: alert.game_date,
      message: alert.message,
      details: alert.details ?? {},
      status_url: this.statusUrl(alert.game_date, alert.status_url),
      last_raised_at: at,
      raise_count: count,
      retry: alert.retry ?? null,
    };
    const firstRaisedAt = open || waiting ? (record?.first_raised_at ?? at) : at;

    if (!isFinalAttempt(alert) && !open) {
      tx.merge(path, {
        ...latest,
        severity: alert.severity,
        status: 'waiting',
        first_raised_at: firstRaisedAt,
        suppressed_since_notice: 0,
        notice_seq: record?.notice_seq ?? 0,
      });
      return { kind: 'waiting', count };
    }

    let kind: AlertNotice['kind'] = 'raised';
    if (open && record) {
      const escalated = SEVERITY_RANK[alert.severity] > SEVERITY_RANK[record.severity];
      const lastNotified = new Date(record.last_notified_at ?? record.first_raised_at).getTime();
      const cooled = now.getTime() - lastNotified >= this.options.cooldownMinutes * 60_000;
      if (!escalated && !cooled) {
        tx.merge(path, { ...latest, suppressed_since_notice: (record.suppressed_since_notice ?? 0) + 1 });
        return { kind: 'suppressed', count };
      }
      kind = 'repeat';
    }
    const severity =
      open && record && SEVERITY_RANK[record.severity] > SEVERITY_RANK[alert.severity]
        ? record.severity
        : alert.severity;
    const noticeSeq = (record?.notice_seq ?? 0) + 1;
    tx.merge(path, {
      ...latest,
      severity,
      status: 'open',
      first_raised_at: firstRaisedAt,
      last_notified_at: at,
      suppressed_since_notice: 0,
      notice_seq: noticeSeq,
      resolved_at: null,
      resolution_message: null,
    });
    const notice: AlertNotice = {
      kind,
      key: alert.key,
      rule: alert.rule,
      severity,
      subject: alert.subject,
      ...(alert.game_date ? { game_date: alert.game_date } : {}),
      message: alert.message,
      ...(alert.details ? { details: alert.details } : {}),
      status_url: latest.status_url,
      occurrences: count,
      first_raised_at: firstRaisedAt,
      at,
    };
    this.queueDeliveries(tx, path, noticeSeq, notice, now);
    return { kind: 'notify', notice, noticeSeq };
  }

  async resolve(resolution: AlertResolution): Promise<void> {
    const now = this.options.clock.now();
    const path = `${ALERTS_COLLECTION}/${alertDocumentId(resolution.key)}`;
    const notice = await this.options.state.transaction(async (tx) => {
      const record = (await tx.get(path)) as AlertRecord | undefined;
      if (!record || record.status === 'resolved') return undefined;
      const at = now.toISOString();
      const closing = { status: 'resolved', resolved_at: at, resolution_message: resolution.message };
      if (record.status === 'waiting') {
        // Nobody was told it was wrong, so nobody is told it is right again.
        tx.merge(path, closing);
        return undefined;
      }
      const noticeSeq = (record.notice_seq ?? 0) + 1;
      tx.merge(path, { ...closing, notice_seq: noticeSeq });
      const resolved: AlertNotice = {
        kind: 'resolved',
        key: record.key,
        rule: record.rule,
        severity: 'INFO',
        subject: record.subject,
        ...(record.game_date ? { game_date: record.game_date } : {}),
        message: resolution.message,
        status_url: record.status_url,
        occurrences: record.raise_count,
        first_raised_at: record.first_raised_at,
        at,
      };
      this.queueDeliveries(tx, path, noticeSeq, resolved, now);
      return { notice: resolved, noticeSeq };
    });
    if (notice) await this.announce(notice.notice, notice.noticeSeq);
  }

  private queueDeliveries(
    tx: StateTransaction,
    alertPath: string,
    noticeSeq: number,
    notice: AlertNotice,
    now: Date,
  ): void {
    const documentId = alertPath.slice(ALERTS_COLLECTION.length + 1);
    for (const channel of this.options.channels) {
      const delivery: AlertDelivery = {
        id: `${documentId}__${noticeSeq}__${channel.name}`,
        alert_key: notice.key,
        channel: channel.name,
        notice,
        state: 'pending',
        attempts: 0,
        created_at: now.toISOString(),
        claimed_until: plusMinutes(now, CLAIM_MINUTES),
      };
      tx.create(`${ALERT_DELIVERIES_COLLECTION}/${delivery.id}`, delivery as unknown as StateDocument);
    }
  }

  /** Log entry first (it cannot fail), then each channel; failures stay pending. */
  private async announce(notice: AlertNotice, noticeSeq: number): Promise<void> {
    const severity: Severity = notice.kind === 'resolved' ? 'NOTICE' : notice.severity;
    this.options.logger.log(severity, `${notice.kind === 'resolved' ? 'resolved: ' : ''}${notice.message}`, {
      alert_key: notice.key,
      rule: notice.rule,
      notice: notice.kind,
      occurrences: notice.occurrences,
      game_date: notice.game_date,
      status_url: notice.status_url,
    });
    await Promise.all(
      this.options.channels.map((channel) =>
        this.attempt(`${alertDocumentId(notice.key)}__${noticeSeq}__${channel.name}`, channel, notice),
      ),
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
        alert_key: notice.key,
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
   * Sends every delivery still pending whose claim has lapsed (called from the
   * scheduler tick). Each one is claimed in a transaction first, so two ticks
   * never send the same notice twice. Returns how many went out.
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

/** The alerts topic as a channel: the message keeps the `Alert` / `AlertResolution` shape, plus the notice. */
export class BusAlertChannel implements AlertChannel {
  readonly name = 'pubsub';

  constructor(
    private readonly bus: Bus,
    private readonly topic: string,
  ) {}

  async deliver(notice: AlertNotice): Promise<void> {
    const common = {
      key: notice.key,
      rule: notice.rule,
      subject: notice.subject,
      ...(notice.game_date ? { game_date: notice.game_date } : {}),
      message: notice.message,
      status_url: notice.status_url,
      notice: notice.kind,
      occurrences: notice.occurrences,
      first_raised_at: notice.first_raised_at,
    };
    const data =
      notice.kind === 'resolved'
        ? { ...common, resolved_at: notice.at }
        : { ...common, severity: notice.severity, details: notice.details ?? {}, raised_at: notice.at };
    await this.bus.publish({
      topic: this.topic,
      data,
      attributes: {
        kind: notice.kind === 'resolved' ? 'resolved' : 'alert',
        notice: notice.kind,
        rule: notice.rule,
        severity: notice.severity,
        key: notice.key,
      },
    });
  }
}
