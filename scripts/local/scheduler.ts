import { Cron } from 'croner';
import type { SchedulerJobSpec } from '../../infra/topology.js';
import type { Bus } from '../../shared/ports/bus.port.js';

/**
 * Cloud Scheduler for the local stack: the same job list (cron + time zone),
 * publishing the same tick bodies, in real time. croner does the calendar
 * work, daylight-saving changes included.
 */
export function startLocalScheduler(
  jobs: SchedulerJobSpec[],
  bus: Bus,
  onFire: (job: SchedulerJobSpec, at: Date) => void = () => {},
): { stop(): void } {
  const crons = jobs.map(
    (job) =>
      new Cron(job.cron, { timezone: job.timeZone, protect: true }, async () => {
        const at = new Date();
        onFire(job, at);
        await bus.publish({
          topic: job.topic,
          data: { ...job.body, scheduled_for: at.toISOString() },
          attributes: { job: job.id },
        });
      }),
  );
  return {
    stop: () => {
      for (const cron of crons) cron.stop();
    },
  };
}
