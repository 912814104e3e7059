import type { AlertChannel, AlertNotice } from './dedup.alert-sink.js';

const SEVERITY_MARK: Record<AlertNotice['severity'], string> = {
  INFO: ':information_source:',
  WARNING: ':warning:',
  ERROR: ':red_circle:',
  CRITICAL: ':rotating_light:',
};

/** A non-2xx answer: `status` lets `isTransient` treat 429/5xx as retryable. */
export class SlackDeliveryError extends Error {
  override readonly name = 'SlackDeliveryError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The Slack message for a notice: one line a person can act on, the count, and the status page link. */
export function slackMessage(notice: AlertNotice): { text: string } {
  const where = notice.game_date ? ` · ${notice.game_date}` : '';
  const head =
    notice.kind === 'resolved'
      ? `:white_check_mark: *Resolved* \`${notice.rule}\`${where}`
      : `${SEVERITY_MARK[notice.severity]} *${notice.severity}* \`${notice.rule}\`${where}`;
  const count =
    notice.kind === 'repeat'
      ? `\nStill happening: raised ${notice.occurrences} times since ${notice.first_raised_at}.`
      : notice.kind === 'resolved' && notice.occurrences > 1
        ? `\nIt had been raised ${notice.occurrences} times since ${notice.first_raised_at}.`
        : '';
  return { text: `${head}\n${notice.message}${count}\n<${notice.status_url}|Status page>` };
}

/**
 * Slack incoming webhook. The URL is a secret (from Secret Manager through
 * `SLACK_WEBHOOK_URL`): it never appears in errors or logs.
 */
export class SlackWebhookChannel implements AlertChannel {
  readonly name = 'slack';

  constructor(
    private readonly webhookUrl: string,
    private readonly timeoutMs = 10_000,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async deliver(notice: AlertNotice): Promise<void> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(slackMessage(notice)),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new SlackDeliveryError(`Slack webhook unreachable (${cause})`);
    }
    if (!response.ok) {
      const body = (await response.text().catch(() => '')).slice(0, 200);
      throw new SlackDeliveryError(
        `Slack webhook answered ${response.status}${body ? `: ${body}` : ''}`,
        response.status,
      );
    }
  }
}
