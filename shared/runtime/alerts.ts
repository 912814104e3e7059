import { type AlertChannel, AlertDeliveries } from '../adapters/alert-delivery.js';
import { BusAlertChannel } from '../adapters/bus.alert-channel.js';
import { DedupAlertSink } from '../adapters/dedup.alert-sink.js';
import { SlackWebhookChannel } from '../adapters/slack.alert-channel.js';
import type { RuntimeEnv } from '../config/env.js';
import type { Backends } from './dependencies.js';

export type AlertSinkBackends = Pick<Backends, 'config' | 'state' | 'bus' | 'clock' | 'logger'>;

export interface AlertSinkOptions {
  /** the Slack incoming webhook (`settings.env.SLACK_WEBHOOK_URL`); without it alerts go to the topic and the log */
  slackWebhookUrl?: string;
  /** extra channels (tests, the replay's recorder) */
  channels?: readonly AlertChannel[];
}

/**
 * The alert sink for a function: conditions grouped per pipeline date in Firestore,
 * delivered to Slack (when configured), the alerts topic and the log. Build
 * it once per instance, after the other backends:
 *
 * ```ts
 * const settings = readSettings();
 * const base = { config, clock, logger, state, bus, ... };
 * const backends: Backends = { ...base, alerts: alertSinkFor(base, alertOptionsFrom(settings.env)) };
 * ```
 */
export function alertSinkFor(backends: AlertSinkBackends, options: AlertSinkOptions = {}): DedupAlertSink {
  const channels: AlertChannel[] = [new BusAlertChannel(backends.bus, backends.config.topics.alerts)];
  if (options.slackWebhookUrl) channels.push(new SlackWebhookChannel(options.slackWebhookUrl));
  else
    backends.logger.warning('no Slack webhook configured: alerts go to the alerts topic and the log only', {
      topic: backends.config.topics.alerts,
    });
  channels.push(...(options.channels ?? []));
  const logger = backends.logger.child({ component: 'alerts' });
  return new DedupAlertSink({
    state: backends.state,
    clock: backends.clock,
    logger,
    deliveries: new AlertDeliveries({ state: backends.state, clock: backends.clock, logger, channels }),
    grouping: backends.config.alerts.grouping,
    statusPageUrl: backends.config.project.status_page_url,
  });
}

export function alertOptionsFrom(env: Pick<RuntimeEnv, 'SLACK_WEBHOOK_URL'>): AlertSinkOptions {
  return env.SLACK_WEBHOOK_URL ? { slackWebhookUrl: env.SLACK_WEBHOOK_URL } : {};
}
