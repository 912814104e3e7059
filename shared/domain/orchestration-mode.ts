import type { ModeExpectation, Transition } from '../config/schema.js';
import { addDays, localTimeOn, resolveGameDate } from './calendar.js';

/**
 * The incumbent's orchestration modes (`detect_orchestration_mode` in its
 * phase3_to_phase4 orchestrator): what a date's completions are about depends
 * on when they arrive. Before the game date they prepare tomorrow's games,
 * on it today's, after it they describe games already played.
 */
export const ORCHESTRATION_MODES = ['tomorrow', 'same_day', 'overnight'] as const;
export type OrchestrationMode = (typeof ORCHESTRATION_MODES)[number];

/** The mode of `gameDate` at `at`, by the date on the pipeline's wall clock. */
export function orchestrationMode(gameDate: string, at: Date, timeZone: string): OrchestrationMode {
  const today = resolveGameDate('TODAY', at, timeZone);
  if (gameDate < today) return 'overnight';
  return gameDate === today ? 'same_day' : 'tomorrow';
}

/** When `mode` begins for `gameDate` (undefined for `tomorrow`, which has no start). */
export function modeStartsAt(gameDate: string, mode: OrchestrationMode, timeZone: string): Date | undefined {
  if (mode === 'tomorrow') return undefined;
  return localTimeOn(mode === 'same_day' ? gameDate : addDays(gameDate, 1), '00:00', timeZone);
}

/** What the transition expects of a date in `mode`, when it has per-mode expectations. */
export function expectationFor(
  transition: Pick<Transition, 'modes'>,
  mode: OrchestrationMode,
): ModeExpectation | undefined {
  return transition.modes?.[mode];
}

/**
 * The mode-aware part of a transition's facts at `now` (`decideTransition`
 * takes them): the mode, what it expects, when its clock starts. Everything
 * that judges a date (phaseTransition, the alert monitor) asks this, so both
 * judge it alike.
 */
export function modeFacts(
  transition: Pick<Transition, 'modes'>,
  gameDate: string,
  now: Date,
  timeZone: string,
): { mode: OrchestrationMode; expectation: ModeExpectation | undefined; modeStartsAt: string | undefined } {
  const mode = orchestrationMode(gameDate, now, timeZone);
  const expectation = expectationFor(transition, mode);
  const start = expectation ? modeStartsAt(gameDate, mode, timeZone) : undefined;
  return { mode, expectation, modeStartsAt: start?.toISOString() };
}
