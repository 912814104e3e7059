import { roleOfJob } from '../../shared/config/job-roles.js';
import { decodeJson } from '../../shared/messages/pubsub-event.js';
import { SchedulerTick } from '../../shared/messages/tick.js';
import type { Bus } from '../../shared/ports/bus.port.js';
import { PermanentError } from '../../shared/runtime/errors.js';
import { pubsubEventHandler } from '../../shared/runtime/event-handler.js';
import { alertOnDeadLetter } from './dead-letter-alert.js';
import { descriptor } from './descriptor.js';
import { runTickRules, type TickRuleDependencies } from './tick-rules.js';
import { handleWorkerErrorIncident } from './worker-error-incident.js';

export const FUNCTION_NAME = 'alertMonitor';

export type AlertMonitorDependencies = TickRuleDependencies & { bus: Bus; projectId?: string };

/**
 * Three subscriptions reach this handler: the tick topic (`config.topics.tick`),
 * the dead-letter topic (`config.topics.dead_letter`) and the worker-errors
 * policies' notification channel (`config.topics.monitoring_incidents`).
 */
export function makeAlertMonitorHandler(dependencies: () => Promise<AlertMonitorDependencies>) {
  return pubsubEventHandler(
    FUNCTION_NAME,
    dependencies,
    async ({ message, logger }, deps) => {
      const scoped = { ...deps, logger };
      if (message.topic === deps.config.topics.monitoring_incidents) {
        await handleWorkerErrorIncident(scoped, message);
        return;
      }
      if (message.topic === deps.config.topics.dead_letter || looksLikeDeadLetter(message.attributes)) {
        await alertOnDeadLetter(scoped, message);
        return;
      }
      const tick = decodeJson(message.data, SchedulerTick);
      if (!tick.ok) {
        // Unknown topic and not a tick: anything that is not clearly a tick is treated as a dead letter.
        if (message.topic !== deps.config.topics.tick) return alertOnDeadLetter(scoped, message);
        throw new PermanentError(`not a scheduler tick: ${tick.reason}`);
      }
      // Time-based rules run on the config's `tick` job; other jobs on the tick topic are not ours.
      if (roleOfJob(deps.config, tick.value.job) !== 'tick') {
        logger.debug('tick for another job, ignored', { job: tick.value.job });
        return;
      }
      await runTickRules(scoped);
    },
    { probe: descriptor },
  );
}

function looksLikeDeadLetter(attributes: Record<string, string>): boolean {
  return 'CloudPubSubDeadLetterSourceSubscription' in attributes || 'function_name' in attributes;
}
