import { z } from 'zod';

/** A real calendar date, YYYY-MM-DD (2026-02-30 is refused). */
export const GameDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((value) => {
    const parsed = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
  }, 'not a calendar date');
export type GameDate = z.infer<typeof GameDate>;

export const IsoTimestamp = z.iso.datetime({ offset: true });

/** Snake-case processor or table name as configured. */
export const ProcessorName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case name');
