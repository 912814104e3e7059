import type { HttpFunction } from '@google-cloud/functions-framework';
import { roleOfJob } from '../../shared/config/job-roles.js';
import type { PipelineConfig } from '../../shared/config/schema.js';
import { resolveGameDate } from '../../shared/domain/calendar.js';
import { GameDate } from '../../shared/messages/primitives.js';
import { decodeJson, describeIssues } from '../../shared/messages/pubsub-event.js';
import { SchedulerTick } from '../../shared/messages/tick.js';
import type { StateStore } from '../../shared/ports/state-store.port.js';
import type { Bus } from '../../shared/ports/bus.port.js';
import { probeAwareHttp } from '../../shared/probe/function-probe.js';
import { isTransient, PermanentError } from '../../shared/runtime/errors.js';
import { pubsubEventHandler } from '../../shared/runtime/event-handler.js';
import { checkExportStaleness } from './check-staleness.js';
import { descriptor } from './descriptor.js';
import { gradeAndExport, type LiveGradingDependencies } from './grade-date.js';

export const FUNCTION_NAME = 'liveGradingExport';

function gradingDate(tick: SchedulerTick, config: PipelineConfig, now: Date): string {
  const day = tick.target_date ?? config.schedules.find((job) => job.id === tick.job)?.target_date ?? 'TODAY';
  const date = resolveGameDate(day, now, config.project.time_zone);
  const parsed = GameDate.safeParse(date);
  if (!parsed.success) throw new PermanentError(`target_date: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Scheduler ticks on `config.topics.tick`: grading jobs grade and export, the tick checks staleness. */
export function makeLiveGradingExportHandler(
  deps: () => Promise<LiveGradingDependencies & { bus: Bus; projectId?: string; state?: StateStore }>,
) {
  return pubsubEventHandler(
    FUNCTION_NAME,
    deps,
    async ({ message, logger }, backends) => {
      const tick = decodeJson(message.data, SchedulerTick);
      if (!tick.ok) throw new PermanentError(tick.reason);
      const run = { ...backends, logger };
      // By the job's role in the config: the 5-minute tick judges staleness, live_grading jobs grade.
      const role = roleOfJob(backends.config, tick.value.job);
      if (role === 'tick') {
        await checkExportStaleness(run);
        return;
      }
      if (role !== 'live_grading') return; // another function's job on the shared topic
      await gradeAndExport(run, gradingDate(tick.value, backends.config, backends.clock.now()));
    },
    { probe: descriptor },
  );
}

/** On demand: `GET ?date=YYYY-MM-DD` grades and exports that date and answers with the run. */
export function makeLiveGradingExportHttp(deps: () => Promise<LiveGradingDependencies>): HttpFunction {
  return probeAwareHttp(descriptor, deps, async (request, response) => {
    const date = GameDate.safeParse(request.query?.date);
    if (!date.success) {
      const reason =
        request.query?.date === undefined ? 'expected ?date=YYYY-MM-DD' : describeIssues(date.error);
      response.status(400).json({ error: `date: ${reason}` });
      return;
    }
    const backends = await deps();
    try {
      response.status(200).json(await gradeAndExport(backends, date.data));
    } catch (error) {
      backends.logger.error('on-demand grading failed', {
        game_date: date.data,
        error: (error as Error).message,
      });
      response.status(isTransient(error) ? 503 : 500).json({ error: (error as Error).message });
    }
  });
}
