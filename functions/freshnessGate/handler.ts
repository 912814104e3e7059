import type { HttpFunction } from '@google-cloud/functions-framework';
import { PhaseReady } from '../../shared/messages/phase4-trigger.js';
import { decodeJson } from '../../shared/messages/pubsub-event.js';
import { SchedulerTick } from '../../shared/messages/tick.js';
import { PermanentError } from '../../shared/runtime/errors.js';
import { pubsubEventHandler } from '../../shared/runtime/event-handler.js';
import { parseCheckedTables, parseGateDate, parseOverride } from './http-request.js';
import { checkGate, type GateDependencies, handleTick, handleWake, overrideGate } from './run-gate.js';

export const FUNCTION_NAME = 'freshnessGate';

/** Scheduler ticks and the Phase 4 -> 5 wake, told apart by the topic they came on. */
export function makeFreshnessGateHandler(deps: () => Promise<GateDependencies>) {
  return pubsubEventHandler(FUNCTION_NAME, deps, async ({ message, logger }, backends) => {
    const { config } = backends;
    if (message.topic === config.topics.tick) {
      const tick = decodeJson(message.data, SchedulerTick);
      if (!tick.ok) throw new PermanentError(`tick: ${tick.reason}`);
      return handleTick(backends, logger, tick.value);
    }
    if (message.topic === config.freshness_gate.wake_topic) {
      const ready = decodeJson(message.data, PhaseReady);
      if (!ready.ok) throw new PermanentError(`${config.freshness_gate.wake_topic}: ${ready.reason}`);
      await handleWake(backends, logger.child({ game_date: ready.value.game_date }), ready.value);
      return;
    }
    throw new PermanentError(
      `message from topic ${message.topic ?? '(unknown)'}; the gate listens on ${config.topics.tick} and ${config.freshness_gate.wake_topic}`,
    );
  });
}

/**
 * `GET ?date=YYYY-MM-DD|TODAY|TOMORROW[&table=dataset.table]`: an on-demand
 * check, nothing stored or published. `POST /override` with JSON
 * `{date, reason, recorded_by}`: opens a BLOCKED date (409 when it is not).
 */
export function makeFreshnessGateHttp(deps: () => Promise<GateDependencies>): HttpFunction {
  return async (request, response) => {
    const backends = await deps();
    const logger = backends.logger.child({ function: `${FUNCTION_NAME}Http` });
    const now = backends.clock.now();
    try {
      if (request.method === 'GET') {
        const date = parseGateDate(request.query.date, now, backends.config);
        if (!date.ok) return void response.status(400).json({ error: date.reason });
        const tables = parseCheckedTables(request.query.table, backends.config);
        if (!tables.ok) return void response.status(400).json({ error: tables.reason });
        const { evaluation, stored } = await checkGate(backends, date.value, tables.value);
        return void response.status(200).json({
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
        });
      }
      if (request.method === 'POST' && /\/override\/?$/.test(request.path)) {
        const body = parseOverride(request.body, request.get('x-goog-authenticated-user-email') ?? undefined);
        if (!body.ok) return void response.status(400).json({ error: body.reason });
        const date = parseGateDate(body.value.date, now, backends.config);
        if (!date.ok) return void response.status(400).json({ error: date.reason });
        const outcome = await overrideGate(backends, logger, date.value, body.value);
        if (outcome.kind === 'refused')
          return void response
            .status(409)
            .json({ error: outcome.reason, status: outcome.document?.status ?? null });
        const { document } = outcome.recorded;
        return void response.status(200).json({
          game_date: document.game_date,
          status: document.status,
          reasons: document.reasons,
          override: document.override,
        });
      }
      response
        .status(405)
        .json({ error: 'use GET ?date=... for a check, or POST /override to open a blocked date' });
    } catch (error) {
      logger.error('freshness gate request failed', { error: (error as Error).message });
      response.status(500).json({ error: (error as Error).message });
    }
  };
}
