import type { AlertChannel, AlertNotice, NoticeCondition } from './alert-delivery.js';

const SEVERITY_MARK: Record<AlertNotice['severity'], string> = {
  INFO: ':information_source:',
  WARNING: ':warning:',
  ERROR: ':red_circle:',
  CRITICAL: ':rotating_light:',
};

const HEAD: Record<AlertNotice['kind'], string> = {
  opened: 'Problem',
  updated: 'Changed',
  reminder: 'Still open',
  resolved: 'Resolved',
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

function conditionLine(condition: NoticeCondition): string {
  const change = condition.change === 'new' ? ' *new*' : condition.change === 'worse' ? ' *worse*' : '';
  return `• ${SEVERITY_MARK[condition.severity]} \`${condition.rule}\`${change} ${condition.message}`;
}

/**
 * The Slack message for a notice: one message per pipeline date listing every
 * open condition (most severe first), what cleared since the last one, and
 * the status page link.
 */
export function slackMessage(notice: AlertNotice): { text: string } {
  const where = notice.game_date ? ` · ${notice.game_date}` : '';
  const mark = notice.kind === 'resolved' ? ':white_check_mark:' : SEVERITY_MARK[notice.severity];
  const severity = notice.kind === 'resolved' ? '' : ` ${notice.severity}`;
  const lines = [`${mark} *${HEAD[notice.kind]}*${severity}${where}`];
  if (notice.kind === 'reminder')
    lines.push(`Open since ${notice.opened_at}; nothing changed since the last notice.`);
  lines.push(...notice.conditions.map(conditionLine));
  if (notice.resolved.length > 0)
    lines.push(
      notice.kind === 'resolved' ? 'Cleared:' : 'Cleared since the last notice:',
      ...notice.resolved.map((condition) => `• \`${condition.rule}\` ${condition.message}`),
    );
  lines.push(`<${notice.status_url}|Status page>`);
  return { text: lines.join('\n') };
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
