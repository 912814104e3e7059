/**
 * Each processor's success rate over the last days: the days it completed,
 * of the days its phase has a state document.
 */
import { addDays } from '../../../shared/domain/calendar.js';
import type { StateDocument } from '../../../shared/ports/state-store.port.js';
import type { StatusReadDependencies } from '../read-status.js';
import { attempt, COMPLETED, record, text } from './fields.js';

export const SUCCESS_RATE_DAYS = 14;

export interface SuccessRate {
  phase: string;
  processor: string;
  /** days the processor completed, of the days its phase has a state document */
  completed_days: number;
  observed_days: number;
  /** null: no observed day ("no data") */
  rate: number | null;
}

export async function successRates(
  deps: StatusReadDependencies,
  date: string,
  problems: string[],
): Promise<SuccessRate[]> {
  const dates = Array.from({ length: SUCCESS_RATE_DAYS }, (_, back) => addDays(date, -back));
  const rates: SuccessRate[] = [];
  for (const transition of deps.config.transitions) {
    const phase = deps.config.phases.find((candidate) => candidate.id === transition.from);
    if (!phase) continue;
    const documents = await Promise.all(
      dates.map((day) =>
        attempt(
          problems,
          `${transition.state_collection}/${day}`,
          () => deps.state.get(`${transition.state_collection}/${day}`),
          undefined,
        ),
      ),
    );
    const observed = documents.filter((document): document is StateDocument => document !== undefined);
    for (const processor of phase.processors) {
      const completed = observed.filter((document) =>
        COMPLETED.has(text(record(document[processor.name]).status) ?? ''),
      ).length;
      rates.push({
        phase: phase.label,
        processor: processor.name,
        completed_days: completed,
        observed_days: observed.length,
        rate: observed.length ? completed / observed.length : null,
      });
    }
  }
  return rates;
}
