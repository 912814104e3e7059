import type { PipelineConfig } from '../config/schema.js';
import type { Logger, Severity } from '../logging/logger.js';
import type { AlertSink } from '../ports/alert-sink.port.js';
import type { Bus } from '../ports/bus.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { HttpCaller } from '../ports/http-call.port.js';
import type { StateStore, StateTransaction } from '../ports/state-store.port.js';
import { drive, drivePending, enqueue, type OutboxAction, outboxId } from '../runtime/outbox.js';
import { type AlertNotice, alertTopicMessage } from './alert-notice.js';
import { SLACK_WEBHOOK_TARGET, SLACK_WEBHOOK_URL_REF, slackMessage } from './slack.http-caller.js';

export type { AlertNotice, NoticeCondition } from './alert-notice.js';

/**
 * The function whose tick re-drives notices a destination refused. Any
 * function that decides a notice sends it at once; what is left pending is
 * the alert monitor's to retry (its tick runs every 5 minutes), so no other
 * function's tick touches these entries.
 */
export const ALERT_DELIVERY_OWNER = 'alertMonitor';

export interface AlertDeliveryOptions {
  config: Pick<PipelineConfig, 'outbox' | 'project' | 'topics'>;
  state: StateStore;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** the Slack incoming webhook caller; without one notices go to the alerts topic and the log */
  slack?: HttpCaller;
}

/** The outbox entry of one notice for one destination (its action carries `<id>:0` as idempotency key). */
export const noticeOutboxId = (noticeId: string, destination: string) =>
  outboxId('alert_notice', noticeId, destination);

/**
 * Getting decided notices to people through the one outbox
 * (`shared/runtime/outbox.ts`): one entry per destination (the alerts topic,
 * the Slack webhook when configured) is queued in the grouping decision's
 * transaction, driven right after the decision
 * commits and re-driven by the alert monitor's tick while a destination
 * refuses. An entry stuck past `outbox.stuck_after_attempts` raises one
 * `outbox_stuck` alert naming the destination and its last error. A
 * structured log entry at the notice's severity is written for every notice,
 * whatever the destinations do.
 */
export class AlertDeliveries {
  constructor(private readonly options: AlertDeliveryOptions) {}

  /** One action per destination, each its own entry: Slack never waits on the topic, nor the topic on Slack. */
  private destinations(notice: AlertNotice): Array<{ name: string; action: OutboxAction }> {
    const destinations: Array<{ name: string; action: OutboxAction }> = [
      {
        name: 'topic',
        action: { kind: 'publish', topic: this.options.config.topics.alerts, ...alertTopicMessage(notice) },
      },
    ];
    if (this.options.slack)
      destinations.push({
        name: 'slack',
        action: {
          kind: 'http',
          target: SLACK_WEBHOOK_TARGET,
          method: 'POST',
          url: SLACK_WEBHOOK_URL_REF,
          body: slackMessage(notice),
        },
      });
    return destinations;
  }

  queue(tx: StateTransaction, noticeId: string, notice: AlertNotice): void {
    for (const { name, action } of this.destinations(notice))
      enqueue(tx, this.options.clock, {
        id: noticeOutboxId(noticeId, name),
        owner: ALERT_DELIVERY_OWNER,
        actions: [action],
        ...(notice.game_date ? { game_date: notice.game_date } : {}),
        about: { key: notice.key, label: notice.kind },
        alert_severity: 'ERROR',
      });
  }

  private outbox(alerts: AlertSink) {
    const { config, state, bus, clock, logger, slack } = this.options;
    return {
      config,
      state,
      bus,
      clock,
      logger,
      alerts,
      ...(slack ? { http: slack } : {}),
    };
  }

  /** Log entry first (it cannot fail), then the destinations; what fails stays pending for the tick. */
  async send(noticeId: string, notice: AlertNotice, alerts: AlertSink): Promise<void> {
    const severity: Severity = notice.kind === 'resolved' ? 'NOTICE' : notice.severity;
    this.options.logger.log(severity, notice.message, {
      alert_group: notice.key,
      notice: notice.kind,
      rule: notice.rule,
      rules: notice.conditions.map((condition) => condition.rule),
      game_date: notice.game_date,
      status_url: notice.status_url,
    });
    const outbox = this.outbox(alerts);
    await Promise.all(
      this.destinations(notice).map(({ name }) =>
        drive(outbox, noticeOutboxId(noticeId, name)).catch((error: unknown) =>
          this.options.logger.warning('notice not sent yet; the alert monitor tick re-drives it', {
            alert_group: notice.key,
            destination: name,
            error: (error as Error).message,
          }),
        ),
      ),
    );
  }

  /** Re-drives notices still pending whose backoff is over (the alert monitor's tick). */
  async redeliverPending(alerts: AlertSink): Promise<number> {
    return drivePending(this.outbox(alerts), ALERT_DELIVERY_OWNER);
  }
}
