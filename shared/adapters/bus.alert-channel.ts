import type { Bus } from '../ports/bus.port.js';
import type { AlertChannel, AlertNotice } from './alert-delivery.js';

/**
 * The alerts topic as a channel: one message per notice. The data keeps the
 * fields of an `Alert` (`key`, `rule`, `severity`, `message`, `raised_at`;
 * `resolved_at` for a resolved notice) so a subscriber that only knows single
 * alerts still reads it, plus every condition of the group.
 */
export class BusAlertChannel implements AlertChannel {
  readonly name = 'pubsub';

  constructor(
    private readonly bus: Bus,
    private readonly topic: string,
  ) {}

  async deliver(notice: AlertNotice): Promise<void> {
    const resolved = notice.kind === 'resolved';
    await this.bus.publish({
      topic: this.topic,
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
    });
  }
}
