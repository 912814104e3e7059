import type { Logger } from '../../shared/logging/logger.js';
import { parseCheckedTables, parseGateDate, parseOverride } from './http-request.js';
import { checkGate, type GateDependencies, overrideGate } from './run-gate.js';

/** What the HTTP target answers: a status code and a JSON body. */
export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

const refuse = (reason: string): HttpAnswer => ({ status: 400, body: { error: reason } });

/** GET `?date=...&table=...`: the decision the gate would take now; nothing is stored or published. */
export async function answerCheck(
  deps: GateDependencies,
  query: { date?: unknown; table?: unknown },
): Promise<HttpAnswer> {
  const date = parseGateDate(query.date, deps.clock.now(), deps.config);
  if (!date.ok) return refuse(date.reason);
  const tables = parseCheckedTables(query.table, deps.config);
  if (!tables.ok) return refuse(tables.reason);
  const { evaluation, stored } = await checkGate(deps, date.value, tables.value);
  return {
    status: 200,
    body: {
      ...evaluation,
      stored: stored
        ? {
            status: stored.status,
            reasons: stored.reasons,
            opened: stored.opened ?? null,
            override: stored.override ?? null,
          }
        : null,
      note: 'on-demand check: nothing was stored or published',
    },
  };
}

/** POST `/override` `{date, reason}` from a verified overrider: opens a BLOCKED date; 409 with the reason otherwise. */
export async function answerOverride(
  deps: GateDependencies,
  logger: Logger,
  body: unknown,
  caller: string,
): Promise<HttpAnswer> {
  const request = parseOverride(body, caller);
  if (!request.ok) return refuse(request.reason);
  const date = parseGateDate(request.value.date, deps.clock.now(), deps.config);
  if (!date.ok) return refuse(date.reason);
  const outcome = await overrideGate(deps, logger, date.value, request.value);
  if (outcome.kind === 'refused')
    return { status: 409, body: { error: outcome.reason, status: outcome.document?.status ?? null } };
  const { document } = outcome.recorded;
  return {
    status: 200,
    body: {
      game_date: document.game_date,
      status: document.status,
      reasons: document.reasons,
      override: document.override,
    },
  };
}
