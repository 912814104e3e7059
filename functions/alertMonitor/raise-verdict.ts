import type { AlertVerdict } from '../../shared/domain/alert-rules.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { AlertSink } from '../../shared/ports/alert-sink.port.js';
import type { Clock } from '../../shared/ports/clock.port.js';

/** Hands a rule's verdict to the sink: raise, resolve, or nothing when it is not due. */
export async function raiseVerdict(
  deps: { alerts: AlertSink; clock: Clock; logger: Logger },
  verdict: AlertVerdict,
): Promise<AlertVerdict['kind']> {
  const at = deps.clock.now().toISOString();
  if (verdict.kind === 'raise') {
    const { condition } = verdict;
    await deps.alerts.raise({
      key: verdict.key,
      rule: condition.rule,
      severity: condition.severity,
      subject: condition.subject,
      ...(condition.game_date ? { game_date: condition.game_date } : {}),
      message: condition.message,
      ...(condition.details ? { details: condition.details } : {}),
      raised_at: at,
    });
  } else if (verdict.kind === 'clear') {
    await deps.alerts.resolve({ key: verdict.key, message: verdict.message, resolved_at: at });
  } else {
    deps.logger.debug('alert rule not due', { alert_key: verdict.key, reason: verdict.reason });
  }
  return verdict.kind;
}
