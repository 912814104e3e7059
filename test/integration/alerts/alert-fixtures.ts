import { Writable } from 'node:stream';
import { SimulatedClock } from '../../../shared/adapters/clocks.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { createLogger } from '../../../shared/logging/logger.js';
import { type Alert, type AlertRule, alertKey } from '../../../shared/messages/alert.js';

/** A logger whose JSON lines are kept, so a test can read what Cloud Logging would get. */
export function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({}, sink as never);
  return {
    logger,
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export const testConfig = (cooldownMinutes = 60) =>
  loadPipelineConfig({
    project: { status_page_url: 'https://status.test/shotclock' },
    alerts: { cooldown_minutes: cooldownMinutes },
  });

export const clockAt = (iso: string) => new SimulatedClock(iso);

export function alertFor(
  rule: AlertRule,
  subject: string,
  gameDate: string,
  clock: SimulatedClock,
  extra: Partial<Alert> = {},
): Alert {
  return {
    key: alertKey(rule, subject, gameDate),
    rule,
    severity: 'ERROR',
    subject,
    game_date: gameDate,
    message: `${subject} for ${gameDate}: ${rule}`,
    raised_at: clock.now().toISOString(),
    ...extra,
  };
}
