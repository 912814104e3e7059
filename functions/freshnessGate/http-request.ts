import { z } from 'zod';
import type { PipelineConfig } from '../../shared/config/schema.js';
import { type RelativeDay, resolveGameDate } from '../../shared/domain/calendar.js';
import type { FreshnessCheckConfig } from '../../shared/domain/freshness.js';
import { describeIssues } from '../../shared/messages/pubsub-event.js';
import { GameDate } from '../../shared/messages/primitives.js';

/** Requests the HTTP target accepts, validated at the edge; each refusal names what was wrong. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const RELATIVE: readonly RelativeDay[] = ['TODAY', 'TOMORROW', 'YESTERDAY'];

/** `YYYY-MM-DD`, or TODAY / TOMORROW / YESTERDAY on the pipeline's wall clock. */
export function parseGateDate(raw: unknown, now: Date, config: PipelineConfig): Parsed<string> {
  if (typeof raw !== 'string' || raw.trim() === '')
    return { ok: false, reason: 'date is required: YYYY-MM-DD, TODAY or TOMORROW' };
  const text = raw.trim();
  if (RELATIVE.includes(text.toUpperCase() as RelativeDay))
    return { ok: true, value: resolveGameDate(text.toUpperCase(), now, config.project.time_zone) };
  const parsed = GameDate.safeParse(text);
  if (!parsed.success)
    return {
      ok: false,
      reason: `date ${JSON.stringify(text)}: ${describeIssues(parsed.error)} (or TODAY / TOMORROW)`,
    };
  return { ok: true, value: parsed.data };
}

/** Optional `table` (repeatable or comma-separated): only configured checks can be asked for. */
export function parseCheckedTables(
  raw: unknown,
  config: PipelineConfig,
): Parsed<readonly FreshnessCheckConfig[] | undefined> {
  if (raw === undefined) return { ok: true, value: undefined };
  const names = (Array.isArray(raw) ? raw : [raw])
    .flatMap((value) => String(value).split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  const checks = config.freshness_gate.checks;
  const unknown = names.filter((name) => !checks.some((check) => check.table === name));
  if (names.length === 0 || unknown.length > 0)
    return {
      ok: false,
      reason: `unknown table ${unknown.map((name) => JSON.stringify(name)).join(', ') || '(empty)'}: the gate checks ${checks.map((check) => check.table).join(', ')}`,
    };
  return { ok: true, value: checks.filter((check) => names.includes(check.table)) };
}

export const OverrideRequest = z.object({
  date: z.string(),
  reason: z.string().trim().min(3, 'give the reason the date is opened'),
  recorded_by: z.string().trim().min(1, 'say who is recording the override').max(200),
});

export function parseOverride(
  body: unknown,
  authenticatedUser: string | undefined,
): Parsed<z.infer<typeof OverrideRequest>> {
  // Behind IAP the signed-in account is known (`accounts.google.com:someone@example.com`) and wins.
  const signedIn = authenticatedUser?.replace(/^accounts\.google\.com:/, '');
  const input =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? { ...body, ...(signedIn ? { recorded_by: signedIn } : {}) }
      : body;
  const parsed = OverrideRequest.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      reason: `override body: ${describeIssues(parsed.error)} (send JSON {date, reason, recorded_by})`,
    };
  return { ok: true, value: parsed.data };
}
