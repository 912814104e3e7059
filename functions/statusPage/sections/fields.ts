import { instantText } from '../../../shared/ports/state-store.port.js';

/**
 * Reading other functions' documents defensively: a missing or malformed
 * field becomes `null` ("no data"), never an error, and a backend that fails
 * is noted in `problems` instead of crashing the page.
 */
/** A string field, or a stored instant (a Firestore Timestamp, read back as a `Date`) as ISO text. */
export const text = (value: unknown): string | null => {
  const written = instantText(value);
  return written !== undefined && written !== '' ? written : null;
};
export const count = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
export const flag = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);
export const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const texts = (value: unknown): string[] => list(value).flatMap((item) => text(item) ?? []);
/** The items of a list field that `read` makes sense of; the others are left out. */
export const readable = <T>(value: unknown, read: (item: Record<string, unknown>) => T | undefined): T[] =>
  list(value).flatMap((item) => {
    const made = read(record(item));
    return made === undefined ? [] : [made];
  });

/** `read()`, or `fallback` with the failure noted in `problems`. */
export async function attempt<T>(
  problems: string[],
  what: string,
  read: () => Promise<T>,
  fallback: T,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    problems.push(`${what}: ${(error as Error).message}`);
    return fallback;
  }
}

/** Processor statuses that count as complete. */
export const COMPLETED = new Set(['success', 'partial']);
