import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { ReplayReport } from '../../scripts/replay/report.js';
import { runReplay } from '../../scripts/replay/run.js';
import { readScenario } from '../../scripts/replay/scenario.js';
import { freshProjectId } from '../support/backends.js';

/** Replays a checked-in scenario on the shared emulators, in a project and folder of its own. */
export async function replay(scenarioFile: string): Promise<ReplayReport> {
  const loaded = await readScenario(join('test/scenarios', scenarioFile));
  return runReplay(loaded, {
    dataDir: await mkdtemp(join(tmpdir(), 'shotclock-replay-')),
    projectId: freshProjectId('replay'),
    emulatorHosts: { pubsub: inject('pubsubEmulatorHost'), firestore: inject('firestoreEmulatorHost') },
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
