import { DateTime } from 'luxon';

export type RelativeDay = 'TODAY' | 'TOMORROW' | 'YESTERDAY';

const OFFSET_DAYS: Record<RelativeDay, number> = { YESTERDAY: -1, TODAY: 0, TOMORROW: 1 };

/**
 * The game date `day` stands for at `now`, on the pipeline's wall clock: at
 * 01:30 UTC on 2026-01-18 it is still 2026-01-17 in New York, so TOMORROW is
 * 2026-01-18.
 */
export function resolveGameDate(day: RelativeDay | string, now: Date, timeZone: string): string {
  if (!(day in OFFSET_DAYS)) return day;
  return DateTime.fromJSDate(now, { zone: timeZone })
    .startOf('day')
    .plus({ days: OFFSET_DAYS[day as RelativeDay] })
    .toISODate()!;
}

/** The instant a wall-clock time `HH:MM` happens on `date` in `timeZone` (DST-aware). */
export function localTimeOn(date: string, hhmm: string, timeZone: string): Date {
  const [hour, minute] = hhmm.split(':').map(Number);
  return DateTime.fromISO(date, { zone: timeZone })
    .set({ hour, minute, second: 0, millisecond: 0 })
    .toJSDate();
}

/** Whole days from `later` back to `earlier` (dates as YYYY-MM-DD). */
export function daysBetween(earlier: string, later: string): number {
  return Math.round(
    DateTime.fromISO(later, { zone: 'UTC' }).diff(DateTime.fromISO(earlier, { zone: 'UTC' }), 'days').days,
  );
}

export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

export function minutesBetween(from: Date | string, to: Date | string): number {
  return (new Date(to).getTime() - new Date(from).getTime()) / 60_000;
}

export function addMinutes(at: Date | string, minutes: number): Date {
  return new Date(new Date(at).getTime() + minutes * 60_000);
}

/**
 * Whether a game date is close enough to `now` to be real work: the message
 * schema takes any calendar date, so 2031-01-17 (a typo, a bad clock) passes it
 * and must be refused here. Measured from `now`'s UTC date; `maxDaysAway` covers
 * both directions (back-fills of past dates, tomorrow's games).
 */
export function isPlausibleGameDate(date: string, now: Date, maxDaysAway: number): boolean {
  const parsed = DateTime.fromISO(date, { zone: 'UTC' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !parsed.isValid) return false;
  const today = DateTime.fromJSDate(now, { zone: 'UTC' }).startOf('day');
  return Math.abs(parsed.diff(today, 'days').days) <= maxDaysAway;
}
