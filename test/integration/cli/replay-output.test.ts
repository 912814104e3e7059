import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, vi } from 'vitest';
import { runReplay } from '../../../scripts/replay/run.js';
import { checkScenario, readScenario } from '../../../scripts/replay/scenario.js';
import { freshProjectId } from '../../support/backends.js';

/** The first half hour of the faults scenario (the crashes and the Firestore outage), and what it printed. */
async function replayFaults(errorStacks: boolean) {
  const { scenario } = await readScenario('test/scenarios/faults-phase3.json');
  const until = '2026-01-17T17:20:00-05:00';
  const loaded = checkScenario({
    ...scenario,
    end: until,
    events: scenario.events.filter((event) => Date.parse(event.at) <= Date.parse(until)),
  });
  const printed: string[] = [];
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...parts) => void printed.push(parts.join(' ')));
  try {
    const report = await runReplay(loaded, {
      dataDir: await mkdtemp(join(tmpdir(), 'shotclock-replay-output-')),
      projectId: freshProjectId('faultsout'),
      emulatorHosts: { pubsub: inject('pubsubEmulatorHost'), firestore: inject('firestoreEmulatorHost') },
      errorStacks,
    });
    return { report, lines: printed.join('\n').split('\n') };
  } finally {
    error.mockRestore();
  }
}

describe('the faults replay on the terminal', () => {
  it('one line per failed delivery, naming the function, and no stack trace', async () => {
    const { report, lines } = await replayFaults(false);
    const failed = report.errors.filter((entry) => entry.kind === 'delivery').length;
    expect(failed).toBeGreaterThan(5);
    expect(lines.filter((line) => /^\s+at /.test(line))).toEqual([]);
    expect(lines).toContain('phase-transition crashed (injected fault)');
    expect(lines).toContain('phase-transition: 14 UNAVAILABLE: Firestore (injected fault)');
    expect(lines.filter((line) => line.trim() !== '').length).toBeLessThanOrEqual(failed);
  }, 180_000);

  it('with --debug, the stack traces', async () => {
    const { lines } = await replayFaults(true);
    expect(lines.some((line) => /^\s+at .*instruments\.ts/.test(line))).toBe(true);
  }, 180_000);
});
