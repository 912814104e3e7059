import { addDays } from '../../shared/domain/calendar.js';
import {
  assessSystem,
  isSignificantlyBelow,
  overallLine,
  type SystemGrading,
  tallySystems,
} from '../../shared/domain/grading-stats.js';
import type { Alert } from '../../shared/messages/alert.js';
import { alertKey } from '../../shared/messages/alert.js';
import type { LiveGradingExport } from '../../shared/messages/grading-export.js';
import { ObjectPreconditionFailed } from '../../shared/ports/object-store.port.js';
import { gradePredictions, saveGrading, trailingBaselines } from '../../shared/queries/grading.js';
import { scheduledGames } from '../../shared/queries/schedule.js';
import type { Backends } from '../../shared/runtime/dependencies.js';
import { buildLiveGradingExport } from './export-document.js';

export type LiveGradingDependencies = Pick<
  Backends,
  'config' | 'clock' | 'logger' | 'warehouse' | 'objects' | 'alerts'
>;

export interface GradingRun {
  game_date: string;
  /** set when there was nothing to grade (no games, no predictions): nothing written, nothing alerted */
  skipped?: string;
  /** object paths written, in the configured bucket */
  written: string[];
  /** alert keys raised */
  alerts: string[];
  export?: LiveGradingExport;
}

export function exportPath(prefix: string, name: string): string {
  return prefix ? `${prefix.replace(/\/+$/, '')}/${name}` : name;
}

/**
 * One grading run for a date: grade in the warehouse (one query), write the
 * resolved rows to shotclock's own `graded_predictions` (one MERGE), judge every system
 * against its trailing baseline, publish `{date}.json` and `latest.json`,
 * and raise the alerts the verdicts call for.
 */
export async function gradeAndExport(
  deps: LiveGradingDependencies,
  gameDate: string,
  options: { alert?: boolean } = {},
): Promise<GradingRun> {
  const { config, clock, warehouse, objects, logger } = deps;
  const grading = config.grading;
  const [games, predictions] = await Promise.all([
    scheduledGames(warehouse, config, gameDate),
    gradePredictions(warehouse, config, gameDate, gameDate),
  ]);
  if (games.games === 0 && predictions.length === 0) {
    logger.info('no games and no predictions: nothing to grade', { game_date: gameDate });
    return { game_date: gameDate, skipped: 'no games scheduled and no predictions', written: [], alerts: [] };
  }

  const now = clock.now();
  await saveGrading(warehouse, config, gameDate, gameDate, now);
  const window = { from: addDays(gameDate, -grading.baseline_days), to: addDays(gameDate, -1) };
  const baselines = await trailingBaselines(warehouse, config, window.from, window.to);
  const systems = tallySystems(predictions).map((tally) =>
    assessSystem(
      tally,
      baselines.find((baseline) => baseline.system_id === tally.system_id),
      grading,
    ),
  );
  const overall = overallLine(systems, grading.production_system);
  const document = buildLiveGradingExport({
    gameDate,
    updatedAt: now,
    productionSystem: grading.production_system,
    games,
    predictions,
    systems,
    baselineWindow: window,
    overall,
  });

  const body = JSON.stringify(document);
  const write = (path: string, ifGeneration?: string) =>
    objects.put({
      bucket: grading.bucket,
      path,
      body,
      contentType: 'application/json',
      cacheControl: grading.cache_control,
      ...(ifGeneration !== undefined ? { ifGeneration } : {}),
    });
  const datePath = exportPath(grading.path_prefix, `${gameDate}.json`);
  const latestPath = exportPath(grading.path_prefix, 'latest.json');
  await write(datePath);
  const written = [datePath];
  // A regrade of an older date (backfill, on-demand) must not move latest.json back in time; the
  // write only lands over the version read, so a concurrent newer export is never overwritten.
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const latest = await latestGameDate(deps, latestPath);
    if (latest.gameDate > gameDate) break;
    try {
      await write(latestPath, latest.generation);
      written.push(latestPath);
      break;
    } catch (error) {
      if (!(error instanceof ObjectPreconditionFailed) || attempt === 3) throw error;
    }
  }

  const alerts = options.alert === false ? [] : gradingAlerts(deps, gameDate, systems);
  for (const alert of alerts) await deps.alerts.raise(alert);
  if (options.alert !== false) await clearGradingAlerts(deps, gameDate, systems, alerts);
  logger.info(overall, {
    game_date: gameDate,
    written,
    graded: document.summary.graded,
    systems: systems.map((system) => `${system.system_id}:${system.verdict}`),
  });
  return { game_date: gameDate, written, alerts: alerts.map((alert) => alert.key), export: document };
}

async function latestGameDate(
  deps: LiveGradingDependencies,
  latestPath: string,
): Promise<{ gameDate: string; generation: string }> {
  const latest = await deps.objects.get(deps.config.grading.bucket, latestPath);
  if (!latest) return { gameDate: '', generation: '0' };
  try {
    const gameDate = (JSON.parse(latest.body) as { game_date?: unknown }).game_date;
    return { gameDate: typeof gameDate === 'string' ? gameDate : '', generation: latest.generation };
  } catch {
    return { gameDate: '', generation: latest.generation };
  }
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** A system no longer below its baseline (or the floor) clears that condition. */
async function clearGradingAlerts(
  deps: LiveGradingDependencies,
  gameDate: string,
  systems: readonly SystemGrading[],
  raised: readonly Alert[],
): Promise<void> {
  const holding = new Set(raised.map((alert) => alert.key));
  const at = deps.clock.now().toISOString();
  for (const system of systems)
    for (const subject of [system.system_id, `${system.system_id}:floor`]) {
      const key = alertKey('grading_below_baseline', subject, gameDate);
      if (holding.has(key)) continue;
      await deps.alerts.resolve({
        key,
        message: `${system.system_id} on ${gameDate}: ${system.verdict_reason || system.verdict}`,
        resolved_at: at,
      });
    }
}

/** Below baseline beyond chance, and the accuracy floor only where it is significant. */
function gradingAlerts(
  deps: LiveGradingDependencies,
  gameDate: string,
  systems: readonly SystemGrading[],
): Alert[] {
  const { config, clock } = deps;
  const floor = config.alerts.thresholds.grading_accuracy_below;
  const raisedAt = clock.now().toISOString();
  const alerts: Alert[] = [];
  for (const system of systems) {
    const isProduction = system.system_id === config.grading.production_system;
    const details = {
      system_id: system.system_id,
      correct: system.correct,
      incorrect: system.incorrect,
      pushes: system.pushes,
      accuracy: system.accuracy,
      accuracy_interval: system.accuracy_interval,
      baseline: system.baseline,
    };
    if (system.verdict === 'below_baseline')
      alerts.push({
        key: alertKey('grading_below_baseline', system.system_id, gameDate),
        rule: 'grading_below_baseline',
        severity: isProduction ? 'ERROR' : 'WARNING',
        subject: system.system_id,
        game_date: gameDate,
        message: `${system.system_id} on ${gameDate}: ${system.verdict_reason}`,
        details,
        raised_at: raisedAt,
        status_url: config.project.status_page_url,
      });
    if (isSignificantlyBelow(system, floor, config.grading))
      alerts.push({
        key: alertKey('grading_below_baseline', `${system.system_id}:floor`, gameDate),
        rule: 'grading_below_baseline',
        severity: 'ERROR',
        subject: `${system.system_id}:floor`,
        game_date: gameDate,
        message: `${system.system_id} on ${gameDate}: accuracy ${percent(system.accuracy ?? 0)} is significantly under the ${percent(floor)} floor (95% CI up to ${percent(system.accuracy_interval?.high ?? 0)})`,
        details: { ...details, floor },
        raised_at: raisedAt,
        status_url: config.project.status_page_url,
      });
  }
  return alerts;
}
