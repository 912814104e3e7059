import type { Logger } from '../logging/logger.js';
import type { Alert, AlertResolution } from '../messages/alert.js';
import type { AlertSink } from '../ports/alert-sink.port.js';
import type { Bus } from '../ports/bus.port.js';

/**
 * The plainest sink: a structured log entry at the alert's severity and a
 * message on the alerts topic. Deduplication and cooldowns wrap it.
 */
export class BusAlertSink implements AlertSink {
  constructor(
    private readonly bus: Bus,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  async raise(alert: Alert): Promise<void> {
    this.logger.log(alert.severity, alert.message, {
      alert_key: alert.key,
      rule: alert.rule,
      ...alert.details,
    });
    await this.bus.publish({
      topic: this.topic,
      data: alert,
      attributes: { kind: 'alert', rule: alert.rule, severity: alert.severity, key: alert.key },
    });
  }

  async resolve(resolution: AlertResolution): Promise<void> {
    this.logger.notice(resolution.message, { alert_key: resolution.key, resolved: true });
    await this.bus.publish({
      topic: this.topic,
      data: resolution,
      attributes: { kind: 'resolved', key: resolution.key },
    });
  }
}
