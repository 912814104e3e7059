import { afterAll, describe, expect, it } from 'vitest';
import { makeLiveGradingExportHandler } from '../../../functions/liveGradingExport/handler.js';
import type { Alert } from '../../../shared/messages/alert.js';
import type { DeadLetter } from '../../../shared/messages/dead-letter.js';
import { generateSlate, loadSlate } from '../../support/slate.js';
import { gradingHarness, tickEvent } from './harness.js';

// 20:00 ET on 2026-01-18: tonight's games are on.
const EVENING = '2026-01-19T01:00:00Z';

describe('liveGradingExport on the scheduler tick', async () => {
  const harness = await gradingHarness(EVENING);
  const handle = makeLiveGradingExportHandler(async () => harness.deps);
  // Two games in progress, two final.
  const slate = generateSlate({
    gameDate: '2026-01-18',
    seed: 5,
    games: 4,
    players: 40,
    gameStatus: [2, 2, 3, 3],
  });
  await loadSlate(harness.warehouse, slate.tables);
  afterAll(() => harness.close());

  it('live-grading-evening grades TODAY on the pipeline clock, with live games pending', async () => {
    await handle(tickEvent({ job: 'live-grading-evening' }));
    const latest = await harness.readExport('latest.json');
    expect(latest?.document.game_date).toBe('2026-01-18');
    expect(latest?.document.summary.games_in_progress).toBe(2);
    expect(latest?.document.summary.games_final).toBe(2);
    expect(latest?.document.summary.pending).toBeGreaterThan(0);
  });

  it('stays quiet while latest.json keeps moving', async () => {
    harness.clock.advance(3 * 60_000);
    await handle(tickEvent({ job: 'live-grading-evening' }));
    harness.clock.advance(5 * 60_000);
    await handle(tickEvent({ job: 'shotclock-tick' }));
    const alerts = (await harness.alertFeed.drain()).map((message) => message.data as Alert);
    expect(alerts.filter((alert) => alert.rule === 'grading_export_stale')).toEqual([]);
  });

  it('alerts when latest.json has not changed for longer than the limit while games are in progress', async () => {
    harness.clock.advance((harness.config.grading.stale_after_minutes + 10) * 60_000);
    await handle(tickEvent({ job: 'shotclock-tick' }));
    const alerts = (await harness.alertFeed.drain()).map((message) => message.data as Alert);
    const stale = alerts.filter((alert) => alert.rule === 'grading_export_stale');
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({
      key: 'grading_export_stale:latest.json:2026-01-18',
      game_date: '2026-01-18',
    });
    expect(stale[0]!.message).toMatch(/has not changed for 3\d minutes while 2 game\(s\) are in progress/);
  });

  it('ignores other functions’ jobs on the shared tick topic', async () => {
    const before = await harness.objects.list(harness.config.grading.bucket, '');
    await handle(tickEvent({ job: 'freshness-gate', target_date: 'TOMORROW' }));
    expect(await harness.objects.list(harness.config.grading.bucket, '')).toEqual(before);
  });

  it('dead-letters a tick it cannot read, with the reason, and acks', async () => {
    await expect(handle(tickEvent('{"job": 42}'))).resolves.toBeUndefined();
    const letters = (await harness.deadLetterFeed.drain()).map((message) => message.data as DeadLetter);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ function_name: 'liveGradingExport' });
    expect(letters[0]!.reason).toMatch(/job/);
  });
});
