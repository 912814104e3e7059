import type { OAuth2Client } from 'google-auth-library';
import { z } from 'zod';
import { type RuntimeEnv, readRuntimeEnv } from '../../shared/config/env.js';
import { lazily } from '../../shared/runtime/lazy.js';
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
  recorded_by: z.string().trim().min(1).max(200),
});

/** The override's body; who records it is the verified caller (`authorizeOverride`), whatever the body says. */
export function parseOverride(body: unknown, caller: string): Parsed<z.infer<typeof OverrideRequest>> {
  const input =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? { ...body, recorded_by: caller }
      : body;
  const parsed = OverrideRequest.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      reason: `override body: ${describeIssues(parsed.error)} (send JSON {date, reason})`,
    };
  return { ok: true, value: parsed.data };
}

/** Who may open a blocked date, and how the caller's Google ID token is verified. */
export interface OverrideRights {
  /** emails, or `@domain` for everyone of a domain: calling the function (Cloud Run invoker) only lets a person check */
  overriders: readonly string[];
  /** built on the first override, so a cold start does not load google-auth-library */
  verifier: () => Promise<OAuth2Client>;
  /** audiences accepted besides the URL the request came to (a custom domain in front, say) */
  audiences: readonly string[];
}

/**
 * From the function's environment: `SHOTCLOCK_GATE_OVERRIDERS` (comma-separated), and
 * `SHOTCLOCK_ID_TOKEN_CERTS_URL` where Google's signing certificates are read (default Google's).
 */
export function overrideRightsFromEnv(
  env: Pick<
    RuntimeEnv,
    'SHOTCLOCK_GATE_OVERRIDERS' | 'SHOTCLOCK_GATE_AUDIENCE' | 'SHOTCLOCK_ID_TOKEN_CERTS_URL'
  > = readRuntimeEnv(),
): OverrideRights {
  const list = (raw: string | undefined) =>
    (raw ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
  return {
    overriders: list(env.SHOTCLOCK_GATE_OVERRIDERS).map((entry) => entry.toLowerCase()),
    verifier: lazily(async () => {
      const { OAuth2Client } = await import('../../shared/adapters/google-clients/auth.client.js');
      return new OAuth2Client(
        env.SHOTCLOCK_ID_TOKEN_CERTS_URL
          ? { endpoints: { oauth2FederatedSignonPemCertsUrl: env.SHOTCLOCK_ID_TOKEN_CERTS_URL } }
          : {},
      );
    }),
    audiences: list(env.SHOTCLOCK_GATE_AUDIENCE),
  };
}

export type Authorized = { ok: true; email: string } | { ok: false; status: 401 | 403; reason: string };

/**
 * The caller of `POST /override`, from the Google ID token it sent (`Authorization: Bearer`), its
 * signature, issuer, expiry and audience (this function's URL) checked; never from a header
 * anyone can set. Opening a date then needs the caller on the overriders list.
 */
export async function authorizeOverride(
  authorization: string | undefined,
  functionUrl: string,
  rights: OverrideRights,
): Promise<Authorized> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token)
    return {
      ok: false,
      status: 401,
      reason: 'override needs a Google ID token: Authorization: Bearer $(gcloud auth print-identity-token)',
    };
  let email: string | undefined;
  try {
    const ticket = await (await rights.verifier()).verifyIdToken({
      idToken: token,
      audience: [functionUrl, ...rights.audiences],
    });
    const payload = ticket.getPayload();
    if (payload?.email_verified !== false) email = payload?.email?.toLowerCase();
  } catch (error) {
    return { ok: false, status: 401, reason: `ID token refused: ${(error as Error).message.slice(0, 200)}` };
  }
  if (!email) return { ok: false, status: 401, reason: 'ID token carries no verified email' };
  const domain = email.slice(email.indexOf('@'));
  if (!rights.overriders.includes(email) && !rights.overriders.includes(domain))
    return {
      ok: false,
      status: 403,
      reason: `${email} may check the gate but not override it (not in SHOTCLOCK_GATE_OVERRIDERS)`,
    };
  return { ok: true, email };
}
