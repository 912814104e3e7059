import { z } from 'zod';
import { daysBetween, resolveGameDate } from '../../shared/domain/calendar.js';
import { GameDate } from '../../shared/messages/primitives.js';
import { SUCCESS_RATE_DAYS } from './read-status.js';

export const DEFAULT_DAYS = 7;
/** Far enough ahead for tomorrow's slate and a week of schedule; further is a typo. */
const MAX_DAYS_AHEAD = 14;

const StatusQuery = z
  .object({
    date: GameDate.optional(),
    days: z
      .string()
      .regex(/^\d+$/, 'expected a whole number of days')
      .transform(Number)
      .pipe(z.number().int().min(1).max(SUCCESS_RATE_DAYS))
      .optional(),
    format: z.enum(['html', 'json']).optional(),
  })
  .strict();

export interface StatusRequest {
  date: string;
  days: number;
  format: 'html' | 'json';
}

export type ParsedStatusRequest = { ok: true; request: StatusRequest } | { ok: false; reason: string };

/** `?date=YYYY-MM-DD&days=1..14&format=html|json`; anything else is refused with the reason. */
export function parseStatusRequest(query: unknown, now: Date, timeZone: string): ParsedStatusRequest {
  const fields = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const repeated = Object.entries(fields).find(([, value]) => typeof value !== 'string');
  if (repeated) return { ok: false, reason: `${repeated[0]}: give the parameter once, as text` };
  const parsed = StatusQuery.safeParse(fields);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .map((issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (use date, days, format)`
          : `${issue.path.join('.') || 'query'}: ${issue.message}`,
      )
      .join('; ');
    return { ok: false, reason };
  }
  const today = resolveGameDate('TODAY', now, timeZone);
  const date = parsed.data.date ?? today;
  if (daysBetween(today, date) > MAX_DAYS_AHEAD)
    return { ok: false, reason: `date: ${date} is more than ${MAX_DAYS_AHEAD} days after today (${today})` };
  return {
    ok: true,
    request: { date, days: parsed.data.days ?? DEFAULT_DAYS, format: parsed.data.format ?? 'html' },
  };
}
