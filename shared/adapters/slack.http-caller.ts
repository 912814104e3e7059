import type { HttpAnswer, HttpCall, HttpCaller } from '../ports/http-call.port.js';
import type { AlertNotice, NoticeCondition } from './alert-notice.js';

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

/** What an outbox entry stores in place of the webhook URL, which is a secret. */
export const SLACK_WEBHOOK_URL_REF = 'secret:SLACK_WEBHOOK_URL';
/** The outbox action's target name (logs, alerts, the status page). */
export const SLACK_WEBHOOK_TARGET = 'slack_webhook';

/**
 * The Slack incoming webhook as an HTTP caller for the outbox. The URL is a
 * secret (from Secret Manager through `SLACK_WEBHOOK_URL`): the outbox entry
 * holds `SLACK_WEBHOOK_URL_REF` instead, this caller puts the real URL in,
 * and it never appears in an error, a log line or an alert.
 */
export class SlackWebhookCaller implements HttpCaller {
  constructor(
    private readonly webhookUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async call(request: HttpCall): Promise<HttpAnswer> {
    if (request.url !== SLACK_WEBHOOK_URL_REF)
      throw new Error(`the Slack caller only calls the Slack webhook, not ${request.url}`);
    let response: Response;
    try {
      response = await this.fetchImpl(this.webhookUrl, {
        method: request.method,
        headers: { 'content-type': 'application/json', ...request.headers },
        body: JSON.stringify(request.body),
        signal: AbortSignal.timeout(request.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new Error(`Slack webhook unreachable (${cause})`);
    }
    const body = (await response.text().catch(() => '')).slice(0, 200);
    return { status: response.status, body };
  }
}
