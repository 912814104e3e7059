import { AlertDeliveries } from '../adapters/alert-delivery.js';
import { DedupAlertSink } from '../adapters/dedup.alert-sink.js';
import { SlackWebhookCaller } from '../adapters/slack.http-caller.js';
import type { RuntimeEnv } from '../config/env.js';
import type { HttpCaller } from '../ports/http-call.port.js';
import type { Backends } from './dependencies.js';

export type AlertSinkBackends = Pick<Backends, 'config' | 'state' | 'bus' | 'clock' | 'logger'>;

export interface AlertSinkOptions {
  /** the Slack incoming webhook (`settings.env.SLACK_WEBHOOK_URL`); without it alerts go to the topic and the log */
  slackWebhookUrl?: string;
  /** calls the webhook instead of fetch (the replay's recorder) */
  slackCaller?: HttpCaller;
}

/**
 * The alert sink for a function: conditions grouped per pipeline date in Firestore,
 * each notice delivered through the outbox to the alerts topic and Slack (when
 * configured), and written to the log. Build it once per instance, after the
 * other backends:
 *
 * ```ts
 * const settings = readSettings();
 * const base = { config, clock, logger, state, bus, ... };
 * const backends: Backends = { ...base, alerts: alertSinkFor(base, alertOptionsFrom(settings.env)) };
 * ```
 */
export function alertSinkFor(backends: AlertSinkBackends, options: AlertSinkOptions = {}): DedupAlertSink {
  const slack =
    options.slackCaller ??
    (options.slackWebhookUrl ? new SlackWebhookCaller(options.slackWebhookUrl) : undefined);
  if (!slack)
    backends.logger.warning('no Slack webhook configured: alerts go to the alerts topic and the log only', {
      topic: backends.config.topics.alerts,
    });
  const logger = backends.logger.child({ component: 'alerts' });
  return new DedupAlertSink({
    state: backends.state,
    clock: backends.clock,
    logger,
    deliveries: new AlertDeliveries({
      config: backends.config,
      state: backends.state,
      bus: backends.bus,
      clock: backends.clock,
      logger,
      ...(slack ? { slack } : {}),
    }),
    grouping: backends.config.alerts.grouping,
    statusPageUrl: backends.config.project.status_page_url,
  });
}

export function alertOptionsFrom(env: Pick<RuntimeEnv, 'SLACK_WEBHOOK_URL'>): AlertSinkOptions {
  return env.SLACK_WEBHOOK_URL ? { slackWebhookUrl: env.SLACK_WEBHOOK_URL } : {};
}
