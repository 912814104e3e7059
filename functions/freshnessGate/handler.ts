import type { HttpFunction } from '@google-cloud/functions-framework';
import { PhaseReady } from '../../shared/messages/phase4-trigger.js';
import { decodeJson } from '../../shared/messages/pubsub-event.js';
import { SchedulerTick } from '../../shared/messages/tick.js';
import { PermanentError } from '../../shared/runtime/errors.js';
import { pubsubEventHandler } from '../../shared/runtime/event-handler.js';
import { answerCheck, answerOverride, type HttpAnswer } from './http-answers.js';
import { authorizeOverride, type OverrideRights, overrideRightsFromEnv } from './http-request.js';
import { type GateDependencies, handleTick, handleWake } from './run-gate.js';

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
 * `{date, reason}` and the caller's Google ID token: opens a BLOCKED date (409 when it is not),
 * recorded as done by the token's verified email, for the people allowed to override only.
 */
export function makeFreshnessGateHttp(
  deps: () => Promise<GateDependencies>,
  rights: OverrideRights = overrideRightsFromEnv(),
): HttpFunction {
  return async (request, response) => {
    const backends = await deps();
    const logger = backends.logger.child({ function: `${FUNCTION_NAME}Http` });
    try {
      let answer: HttpAnswer;
      if (request.method === 'GET') answer = await answerCheck(backends, request.query);
      else if (request.method === 'POST' && /\/override\/?$/.test(request.path)) {
        const caller = await authorizeOverride(
          request.get('authorization'),
          `${request.get('x-forwarded-proto') ?? request.protocol}://${request.get('host')}`,
          rights,
        );
        answer = caller.ok
          ? await answerOverride(backends, logger, request.body, caller.email)
          : { status: caller.status, body: { error: caller.reason } };
      } else
        answer = {
          status: 405,
          body: { error: 'GET ?date=... checks a date; POST /override opens a blocked one' },
        };
      response.status(answer.status).json(answer.body);
    } catch (error) {
      // State or bus unreachable: a 500 the caller can retry (warehouse failures are answers, not errors).
      logger.error('freshness gate request failed', { error: (error as Error).message });
      response.status(500).json({ error: (error as Error).message });
    }
  };
}
