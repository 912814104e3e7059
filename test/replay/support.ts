import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { ReplayReport } from '../../scripts/replay/report.js';
import { runReplay } from '../../scripts/replay/run.js';
import { checkScenario, readScenario } from '../../scripts/replay/scenario.js';
import { statusSnapshotFor } from '../../scripts/replay/status-snapshot.js';
import { freshProjectId } from '../support/backends.js';

/**
 * Replays a checked-in scenario on the shared emulators, in a project and
 * folder of its own; `until` cuts it short (events after it are dropped).
 */
export async function replay(scenarioFile: string, until?: string): Promise<ReplayReport> {
  let loaded = await readScenario(join('test/scenarios', scenarioFile));
  if (until) {
    const { scenario } = loaded;
    loaded = checkScenario({
      ...scenario,
      end: until,
      events: scenario.events.filter((event) => Date.parse(event.at) <= Date.parse(until)),
    });
  }
  return runReplay(loaded, {
    dataDir: await mkdtemp(join(tmpdir(), 'shotclock-replay-')),
    projectId: freshProjectId('replay'),
    emulatorHosts: { pubsub: inject('pubsubEmulatorHost'), firestore: inject('firestoreEmulatorHost') },
    statusSnapshot: statusSnapshotFor(),
  });
}

export const onTopic = (report: ReplayReport, topic: string) =>
  report.published.filter((record) => record.topic === topic);

/** `2026-01-17T23:20:00.000Z` -> `18:20` on the New York wall clock. */
export function etClock(at: string): string {
  return new Date(at).toLocaleTimeString('en-GB', {
    timeZone: 'America/New_York',
    hour: '2-digit',
    minute: '2-digit',
  });
}
