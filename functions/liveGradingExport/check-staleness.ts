import { DEFAULT_COLLECTIONS } from '../../shared/config/collections.js';
import { resolveGameDate } from '../../shared/domain/calendar.js';
import { exportStaleness } from '../../shared/domain/grading-stats.js';
import { alertKey } from '../../shared/messages/alert.js';
import { scheduledGames } from '../../shared/queries/schedule.js';
import type { StateStore } from '../../shared/ports/state-store.port.js';
import { exportPath, type LiveGradingDependencies } from './grade-date.js';

export const EXPORT_WATCH_COLLECTION = DEFAULT_COLLECTIONS.grading_export_watch;
export const EXPORT_WATCH_RETENTION_DAYS = 7;

/**
 * An export that does not exist yet is measured from when games were first
 * seen in progress without it, so the tick that runs as the games tip off
 * (before the first export) is not an alarm. Kept in Firestore, not memory,
 * so a cold start does not reset it.
 */
async function missingSince(
  state: StateStore | undefined,
  gameDate: string,
  now: Date,
): Promise<string | undefined> {
  if (!state) return undefined;
  const path = `${EXPORT_WATCH_COLLECTION}/${gameDate}`;
  const seen = (await state.get(path))?.missing_since;
  if (typeof seen === 'string') return seen;
  // Kept a week (Firestore TTL on `expire_at`, infra/firestore-ttl.ts): it only matters on its game night.
  await state.merge(path, {
    missing_since: now.toISOString(),
    expire_at: new Date(now.getTime() + EXPORT_WATCH_RETENTION_DAYS * 86_400_000).toISOString(),
  });
  return now.toISOString();
}

export interface StalenessCheck {
  stale: boolean;
  games_in_progress: number;
  minutes_since_update: number | null;
  alert?: string;
}

/**
 * On the tick: games are being played (today's, or last night's still going
 * after midnight) and `latest.json` has not moved for longer than the limit,
 * so the site shows old numbers and nobody knows. The incumbent once went a
 * night at 0 graded with nothing said.
 */
export async function checkExportStaleness(
  deps: LiveGradingDependencies & { state?: StateStore },
): Promise<StalenessCheck> {
  const { config, clock, warehouse, objects } = deps;
  const now = clock.now();
  const dates = [
    ...new Set(['TODAY', 'YESTERDAY'].map((day) => resolveGameDate(day, now, config.project.time_zone))),
  ];
  const schedules = await Promise.all(dates.map((date) => scheduledGames(warehouse, config, date)));
  const live = schedules.filter((schedule) => schedule.in_progress > 0);
  const gamesInProgress = live.reduce((sum, schedule) => sum + schedule.in_progress, 0);
  if (gamesInProgress === 0) {
    await clearStale(deps, dates, 'no game is in progress');
    return { stale: false, games_in_progress: 0, minutes_since_update: null };
  }

  const latestPath = exportPath(config.grading.path_prefix, 'latest.json');
  const latest = await objects.get(config.grading.bucket, latestPath);
  const verdict = exportStaleness({
    now,
    gamesInProgress,
    latestUpdatedAt: latest?.updatedAt ?? (await missingSince(deps.state, live[0]!.game_date, now)),
    staleAfterMinutes: config.grading.stale_after_minutes,
  });
  const result = {
    stale: verdict.stale,
    games_in_progress: gamesInProgress,
    minutes_since_update: verdict.minutesSinceUpdate,
  };
  if (!verdict.stale) {
    await clearStale(deps, dates, `${latestPath} is being updated again`);
    return result;
  }

  const gameDate = live[0]!.game_date;
  const key = alertKey('grading_export_stale', 'latest.json', gameDate);
  const age =
    verdict.minutesSinceUpdate === null
      ? 'does not exist'
      : `has not changed for ${Math.round(verdict.minutesSinceUpdate)} minutes`;
  await deps.alerts.raise({
    key,
    rule: 'grading_export_stale',
    severity: 'ERROR',
    subject: `${config.grading.bucket}/${latestPath}`,
    game_date: gameDate,
    message: `live grading export ${config.grading.bucket}/${latestPath} ${age} while ${gamesInProgress} game(s) are in progress (limit ${config.grading.stale_after_minutes} minutes)`,
    details: {
      games_in_progress: gamesInProgress,
      minutes_since_update: verdict.minutesSinceUpdate,
      last_updated_at: latest?.updatedAt ?? null,
      stale_after_minutes: config.grading.stale_after_minutes,
    },
    raised_at: now.toISOString(),
    status_url: config.project.status_page_url,
  });
  return { ...result, alert: key };
}

/** The export is fresh again (or no game is being played): an open staleness condition clears. */
async function clearStale(
  deps: LiveGradingDependencies,
  dates: readonly string[],
  why: string,
): Promise<void> {
  for (const gameDate of dates)
    await deps.alerts.resolve({
      key: alertKey('grading_export_stale', 'latest.json', gameDate),
      message: `live grading export for ${gameDate}: ${why}`,
      resolved_at: deps.clock.now().toISOString(),
    });
}
