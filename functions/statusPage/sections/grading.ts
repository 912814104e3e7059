/**
 * Live grading: `<grading.bucket>/<grading.path_prefix>/{date}.json`
 * (liveGradingExport): `updated_at`, `overall`, `systems[]`.
 */
import { wilsonInterval } from '../../../shared/domain/grading-stats.js';
import type { StatusReadDependencies } from '../read-status.js';
import { attempt, count, list, record, text } from './fields.js';

export interface GradingSystemView {
  system: string;
  is_production: boolean;
  graded: number | null;
  correct: number | null;
  accuracy: number | null;
  interval_low: number | null;
  interval_high: number | null;
  baseline: number | null;
  verdict: string | null;
  verdict_reason: string | null;
}

export interface GradingView {
  updated_at: string | null;
  overall: string | null;
  systems: GradingSystemView[];
}

export function gradingView(body: string | undefined): GradingView | null {
  if (body === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { updated_at: null, overall: 'the grading export is not valid JSON', systems: [] };
  }
  const exported = record(parsed);
  return {
    updated_at: text(exported.updated_at),
    overall: text(exported.overall),
    systems: list(exported.systems).flatMap((item) => {
      const system = record(item);
      const id = text(system.system_id);
      if (!id) return [];
      const correct = count(system.correct);
      const incorrect = count(system.incorrect);
      const decided = correct !== null && incorrect !== null ? correct + incorrect : null;
      const interval = record(system.accuracy_interval);
      // An export without the interval still gets bars: the same Wilson interval, computed here.
      const computed =
        correct !== null && decided ? (wilsonInterval(correct, decided) ?? undefined) : undefined;
      return [
        {
          system: id,
          is_production: system.is_production === true,
          graded: decided,
          correct,
          accuracy: count(system.accuracy) ?? (correct !== null && decided ? correct / decided : null),
          interval_low: count(interval.low) ?? computed?.low ?? null,
          interval_high: count(interval.high) ?? computed?.high ?? null,
          baseline: count(record(system.baseline).accuracy),
          verdict: text(system.verdict),
          verdict_reason: text(system.verdict_reason),
        },
      ];
    }),
  };
}

export async function readGrading(
  deps: StatusReadDependencies,
  date: string,
  problems: string[],
): Promise<GradingView | null> {
  const { grading } = deps.config;
  const exportPath = `${grading.path_prefix}/${date}.json`;
  const exported = await attempt(
    problems,
    `grading export ${exportPath}`,
    () => deps.objects.get(grading.bucket, exportPath),
    undefined,
  );
  return gradingView(exported?.body);
}
