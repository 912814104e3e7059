import { roleOfJob } from '../../shared/config/job-roles.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { SchedulerTick } from '../../shared/messages/tick.js';
import { GameDate } from '../../shared/messages/primitives.js';
import { drivePending } from '../../shared/runtime/outbox.js';
import { evaluateDate, OUTBOX_OWNER, type PhaseTransitionDependencies } from './evaluate-date.js';

/** Open dates looked at per transition per tick; more wait for the next tick. */
export const MAX_DATES_PER_TICK = 200;

/**
 * Everything time-based: re-drives this function's own outbox entries whose
 * publish failed or never ran (other functions drive theirs), then re-evaluates every date still open (grace periods, tiers,
 * deadlines, alerts, and dates that look complete but never triggered).
 * A failure on one date does not stop the others; the tick is thrown back for
 * redelivery only when something failed.
 */
export async function runTick(deps: PhaseTransitionDependencies, tick: SchedulerTick, logger: Logger) {
  // The config's `tick` job (every 5 minutes) drives transitions; other jobs on the tick topic are not ours.
  if (roleOfJob(deps.config, tick.job) !== 'tick') {
    logger.debug(`tick for job ${tick.job} is not for phase transitions`);
    return;
  }
  const failures: unknown[] = [];
  const redriven = await drivePending({ ...deps, logger }, OUTBOX_OWNER).catch((error: unknown) => {
    failures.push(error);
    return 0;
  });
  let evaluated = 0;
  for (const transition of deps.config.transitions) {
    const open = await deps.state.list(
      transition.state_collection,
      [{ field: '_open', op: '==', value: true }],
      MAX_DATES_PER_TICK,
    );
    for (const { id: gameDate } of open) {
      if (!GameDate.safeParse(gameDate).success) continue;
      const log = logger.child({ game_date: gameDate });
      try {
        const outcome = await evaluateDate({ ...deps, logger: log }, transition, gameDate);
        evaluated += 1;
        if (outcome.decision?.kind !== 'wait')
          log.info(`tick: ${transition.id} ${outcome.decision?.kind}`, {
            transition: transition.id,
            latched: outcome.latched?.kind,
            reason: outcome.latched?.reason,
          });
      } catch (error) {
        failures.push(error);
        log.error('tick: evaluation failed', { transition: transition.id, error: (error as Error).message });
      }
    }
  }
  logger.info('tick done', { redriven, evaluated, failed: failures.length });
  if (failures.length > 0) throw failures[0];
}
