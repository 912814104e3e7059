import { roleOfJob } from '../../shared/config/job-roles.js';
import type { Logger } from '../../shared/logging/logger.js';
import { alertKey } from '../../shared/messages/alert.js';
import type { GateEvaluationSource } from '../../shared/messages/gate-decision.js';
import type { PhaseReady } from '../../shared/messages/phase4-trigger.js';
import { GameDate } from '../../shared/messages/primitives.js';
import type { SchedulerTick } from '../../shared/messages/tick.js';
import { PermanentError } from '../../shared/runtime/errors.js';
import { resolveGameDate } from '../../shared/domain/calendar.js';
import { blockedDateStep, type FreshnessCheckConfig } from '../../shared/domain/freshness.js';
import type { Backends } from '../../shared/runtime/dependencies.js';
import { drive, drivePending } from '../../shared/runtime/outbox.js';
import { evaluateGate, type GateEvaluation } from './evaluate-gate.js';
import {
  blockedDates,
  GATE_OUTBOX_OWNER,
  type GateDocument,
  markCutoffAlerted,
  type OverrideOutcome,
  type RecordedGate,
  readGate,
  recordEvaluation,
  recordOverride,
} from './gate-state.js';

export type GateDependencies = Pick<
  Backends,
  'config' | 'clock' | 'logger' | 'state' | 'bus' | 'warehouse' | 'alerts' | 'http'
>;

const ALERT_SUBJECT = 'freshness_gate';

/** Sends what a decision queued; what does not go out stays pending and the next tick re-drives it. */
async function publishQueued(deps: GateDependencies, logger: Logger, ids: string[]): Promise<void> {
  for (const id of ids) await drive({ ...deps, logger }, id);
}

function logDecision(logger: Logger, recorded: RecordedGate, source: GateEvaluationSource) {
  const { document } = recorded;
  const fields = {
    game_date: document.game_date,
    correlation_id: document.correlation_id,
    status: document.status,
    previous_status: recorded.previous_status,
    source,
    reasons: document.reasons,
  };
  const message = `freshness gate ${document.game_date}: ${document.status}${recorded.opened_now ? ', predictions triggered' : ''}`;
  if (document.status === 'BLOCKED') logger.warning(message, fields);
  else logger.info(message, fields);
}

/** Evaluates a date, stores the decision, and publishes the trigger if it opened the date. */
export async function runGate(
  deps: GateDependencies,
  logger: Logger,
  gameDate: string,
  source: GateEvaluationSource,
  correlationId?: string,
): Promise<RecordedGate> {
  const evaluation = await evaluateGate(deps, gameDate, deps.clock.now());
  const recorded = await recordEvaluation(deps, evaluation, source, correlationId);
  logDecision(logger, recorded, source);
  await publishQueued(deps, logger, recorded.outbox_ids);
  if (recorded.opened_now && recorded.document.cutoff_alert)
    await resolveCutoffAlert(deps, recorded.document);
  return recorded;
}

/** Phase 4 -> 5 is done for a date: check it now rather than waiting for the next tick. */
export function handleWake(deps: GateDependencies, logger: Logger, ready: PhaseReady): Promise<RecordedGate> {
  return runGate(deps, logger, ready.game_date, 'wake', ready.correlation_id);
}

export async function handleTick(deps: GateDependencies, logger: Logger, tick: SchedulerTick): Promise<void> {
  // By the job's role in `config.schedules`: the gate's scheduled check, or the periodic tick.
  const role = roleOfJob(deps.config, tick.job);
  if (role === 'freshness_gate') {
    const gameDate = resolveGameDate(
      tick.target_date ?? deps.config.freshness_gate.target,
      deps.clock.now(),
      deps.config.project.time_zone,
    );
    if (!GameDate.safeParse(gameDate).success)
      throw new PermanentError(
        `tick ${tick.job}: target_date ${JSON.stringify(tick.target_date)} is not a date`,
      );
    await runGate(deps, logger.child({ game_date: gameDate }), gameDate, 'scheduled');
    return;
  }
  if (role === 'tick') {
    await redrivePending(deps, logger);
    await recheckBlocked(deps, logger);
    return;
  }
  logger.debug(`tick ${tick.job} is not for the freshness gate`);
}

/** The gate's own actions that did not go out earlier (due by their backoff). */
async function redrivePending(deps: GateDependencies, logger: Logger): Promise<void> {
  await drivePending({ ...deps, logger }, GATE_OUTBOX_OWNER);
}

async function recheckBlocked(deps: GateDependencies, logger: Logger): Promise<void> {
  const now = deps.clock.now();
  for (const blocked of await blockedDates(deps.state)) {
    const dateLogger = logger.child({ game_date: blocked.game_date, correlation_id: blocked.correlation_id });
    const step = blockedDateStep(now, new Date(blocked.cutoff_at), blocked.cutoff_alert !== undefined);
    if (step === 'done') continue;
    const recorded = await runGate(
      deps,
      dateLogger,
      blocked.game_date,
      step === 'recheck' ? 'tick' : 'cutoff',
      blocked.correlation_id,
    );
    if (step === 'final_check_and_alert' && recorded.document.status === 'BLOCKED')
      await alertBlockedAtCutoff(deps, recorded.document);
  }
}

/** Raised at most once per date: the alert sink deduplicates by key, and the date is marked afterwards. */
async function alertBlockedAtCutoff(deps: GateDependencies, gate: GateDocument): Promise<void> {
  const raisedAt = deps.clock.now().toISOString();
  const cutoff = deps.config.freshness_gate.cutoff_local_time;
  await deps.alerts.raise({
    key: alertKey('gate_blocked_at_cutoff', ALERT_SUBJECT, gate.game_date),
    rule: 'gate_blocked_at_cutoff',
    severity: 'CRITICAL',
    subject: ALERT_SUBJECT,
    game_date: gate.game_date,
    message: `Freshness gate for ${gate.game_date} is still BLOCKED at the ${cutoff} cutoff; predictions were not triggered. Still missing: ${gate.reasons.join('; ')}`,
    details: {
      reasons: gate.reasons,
      checks: gate.checks,
      cutoff_at: gate.cutoff_at,
      first_evaluated_at: gate.first_evaluated_at,
      evaluations: gate.evaluation_count,
      correlation_id: gate.correlation_id,
    },
    raised_at: raisedAt,
    status_url: `${deps.config.project.status_page_url}/gate/${gate.game_date}`,
  });
  await markCutoffAlerted(deps.state, gate.game_date, raisedAt, gate.reasons);
}

async function resolveCutoffAlert(deps: GateDependencies, gate: GateDocument): Promise<void> {
  await deps.alerts.resolve({
    key: alertKey('gate_blocked_at_cutoff', ALERT_SUBJECT, gate.game_date),
    message: `Freshness gate for ${gate.game_date} opened (${gate.status}) after the cutoff: ${gate.reasons.join('; ')}`,
    resolved_at: deps.clock.now().toISOString(),
  });
}

export interface GateCheckReport {
  evaluation: GateEvaluation;
  stored: GateDocument | undefined;
}

/** On-demand check (HTTP GET): evaluates without storing or publishing anything. */
export async function checkGate(
  deps: GateDependencies,
  gameDate: string,
  checks?: readonly FreshnessCheckConfig[],
): Promise<GateCheckReport> {
  const [evaluation, stored] = await Promise.all([
    evaluateGate(deps, gameDate, deps.clock.now(), checks),
    readGate(deps.state, gameDate),
  ]);
  return { evaluation, stored };
}

/**
 * A person opens a BLOCKED date. A date never evaluated is evaluated first, so
 * the override always acts on a recorded decision.
 */
export async function overrideGate(
  deps: GateDependencies,
  logger: Logger,
  gameDate: string,
  person: { recorded_by: string; reason: string },
): Promise<OverrideOutcome> {
  if (!(await readGate(deps.state, gameDate))) await runGate(deps, logger, gameDate, 'scheduled');
  const outcome = await recordOverride(deps, gameDate, person);
  if (outcome.kind === 'opened') {
    logger.notice(`freshness gate ${gameDate}: opened by manual override`, {
      game_date: gameDate,
      recorded_by: person.recorded_by,
      reason: person.reason,
      correlation_id: outcome.recorded.document.correlation_id,
    });
    await publishQueued(deps, logger, outcome.recorded.outbox_ids);
    if (outcome.recorded.document.cutoff_alert) await resolveCutoffAlert(deps, outcome.recorded.document);
  }
  return outcome;
}
