import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  isPlausibleGameDate,
  localTimeOn,
  resolveGameDate,
} from '../../../shared/domain/calendar.js';

const ET = 'America/New_York';

describe('resolveGameDate', () => {
  it.each([
    // the incident evening: 20:30 ET on the 17th is already the 18th in UTC
    {
      now: '2026-01-18T01:30:00Z',
      zone: ET,
      today: '2026-01-17',
      tomorrow: '2026-01-18',
      yesterday: '2026-01-16',
    },
    {
      now: '2026-01-18T01:30:00Z',
      zone: 'UTC',
      today: '2026-01-18',
      tomorrow: '2026-01-19',
      yesterday: '2026-01-17',
    },
    // around midnight in New York (EST, UTC-5)
    {
      now: '2026-01-18T04:59:59Z',
      zone: ET,
      today: '2026-01-17',
      tomorrow: '2026-01-18',
      yesterday: '2026-01-16',
    },
    {
      now: '2026-01-18T05:00:00Z',
      zone: ET,
      today: '2026-01-18',
      tomorrow: '2026-01-19',
      yesterday: '2026-01-17',
    },
    // year and month ends
    {
      now: '2027-01-01T04:30:00Z',
      zone: ET,
      today: '2026-12-31',
      tomorrow: '2027-01-01',
      yesterday: '2026-12-30',
    },
    {
      now: '2026-02-28T12:00:00Z',
      zone: ET,
      today: '2026-02-28',
      tomorrow: '2026-03-01',
      yesterday: '2026-02-27',
    },
    // the DST weekend: 2026-03-08 02:00 EST jumps to 03:00 EDT
    {
      now: '2026-03-08T04:59:00Z',
      zone: ET,
      today: '2026-03-07',
      tomorrow: '2026-03-08',
      yesterday: '2026-03-06',
    },
    {
      now: '2026-03-08T05:00:00Z',
      zone: ET,
      today: '2026-03-08',
      tomorrow: '2026-03-09',
      yesterday: '2026-03-07',
    },
    {
      now: '2026-03-08T06:59:00Z',
      zone: ET,
      today: '2026-03-08',
      tomorrow: '2026-03-09',
      yesterday: '2026-03-07',
    }, // 01:59 EST
    {
      now: '2026-03-08T07:00:00Z',
      zone: ET,
      today: '2026-03-08',
      tomorrow: '2026-03-09',
      yesterday: '2026-03-07',
    }, // 03:00 EDT
    {
      now: '2026-03-08T22:45:00Z',
      zone: ET,
      today: '2026-03-08',
      tomorrow: '2026-03-09',
      yesterday: '2026-03-07',
    }, // 18:45 EDT
    // after the change midnight is at 04:00 UTC, not 05:00
    {
      now: '2026-03-09T03:59:00Z',
      zone: ET,
      today: '2026-03-08',
      tomorrow: '2026-03-09',
      yesterday: '2026-03-07',
    },
    {
      now: '2026-03-09T04:00:00Z',
      zone: ET,
      today: '2026-03-09',
      tomorrow: '2026-03-10',
      yesterday: '2026-03-08',
    },
  ])('at $now in $zone: TODAY $today, TOMORROW $tomorrow', ({ now, zone, today, tomorrow, yesterday }) => {
    const at = new Date(now);
    expect(resolveGameDate('TODAY', at, zone)).toBe(today);
    expect(resolveGameDate('TOMORROW', at, zone)).toBe(tomorrow);
    expect(resolveGameDate('YESTERDAY', at, zone)).toBe(yesterday);
  });

  it('passes an explicit date through unchanged', () => {
    expect(resolveGameDate('2026-01-17', new Date('2026-03-08T07:00:00Z'), ET)).toBe('2026-01-17');
  });
});

describe('localTimeOn', () => {
  it.each([
    { date: '2026-01-17', time: '17:45', instant: '2026-01-17T22:45:00.000Z' }, // EST
    { date: '2026-03-07', time: '22:00', instant: '2026-03-08T03:00:00.000Z' }, // EST, the night before the change
    { date: '2026-03-08', time: '17:45', instant: '2026-03-08T21:45:00.000Z' }, // EDT the same day
    { date: '2026-03-08', time: '22:00', instant: '2026-03-09T02:00:00.000Z' },
    // 02:30 does not exist that night: it lands an hour later, on the EDT side
    { date: '2026-03-08', time: '02:30', instant: '2026-03-08T07:30:00.000Z' },
    { date: '2026-03-08', time: '00:00', instant: '2026-03-08T05:00:00.000Z' },
  ])('$time on $date in New York is $instant', ({ date, time, instant }) => {
    expect(localTimeOn(date, time, ET).toISOString()).toBe(instant);
  });
});

describe('day arithmetic', () => {
  it.each([
    { earlier: '2026-03-07', later: '2026-03-09', days: 2 }, // across the DST change: still whole days
    { earlier: '2026-02-28', later: '2026-03-01', days: 1 },
    { earlier: '2028-02-28', later: '2028-03-01', days: 2 }, // leap year
    { earlier: '2026-01-18', later: '2026-01-17', days: -1 },
    { earlier: '2025-12-31', later: '2026-12-31', days: 365 },
  ])('daysBetween($earlier, $later) = $days', ({ earlier, later, days }) => {
    expect(daysBetween(earlier, later)).toBe(days);
  });

  it.each([
    { date: '2026-03-07', days: 1, result: '2026-03-08' },
    { date: '2026-03-08', days: 1, result: '2026-03-09' },
    { date: '2026-12-31', days: 1, result: '2027-01-01' },
    { date: '2028-02-28', days: 1, result: '2028-02-29' },
    { date: '2026-03-01', days: -1, result: '2026-02-28' },
  ])('addDays($date, $days) = $result', ({ date, days, result }) => {
    expect(addDays(date, days)).toBe(result);
  });
});

describe('isPlausibleGameDate', () => {
  const now = new Date('2026-01-17T22:00:00Z');
  it.each([
    { date: '2026-01-17', max: 30, plausible: true },
    { date: '2026-01-18', max: 30, plausible: true },
    { date: '2025-12-18', max: 30, plausible: true }, // exactly 30 days back
    { date: '2025-12-17', max: 30, plausible: false },
    { date: '2026-02-16', max: 30, plausible: true },
    { date: '2026-02-17', max: 30, plausible: false },
    { date: '2031-01-18', max: 30, plausible: false }, // a typo'd year
    { date: '0000-01-01', max: 30, plausible: false },
    { date: '2026-01-18', max: 0, plausible: false },
    { date: '2026-02-30', max: 3650, plausible: false }, // not a calendar date
    { date: '2026-1-18', max: 30, plausible: false },
    { date: '', max: 30, plausible: false },
  ])('$date within $max days of 2026-01-17: $plausible', ({ date, max, plausible }) => {
    expect(isPlausibleGameDate(date, now, max)).toBe(plausible);
  });
});
