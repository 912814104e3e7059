import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../shared/messages/dead-letter.js';
import type { Phase4Trigger } from '../../../shared/messages/phase4-trigger.js';
import { HOSTILE_COMPLETIONS, HOSTILE_NOW } from '../../fixtures/hostile-completions.js';
import { PHASE3, TOPIC, transitionHarness } from './harness.js';

const GOOD_DATE = '2026-01-16';

describe('phaseTransition: malformed and hostile messages among good ones', () => {
  it(`none of ${HOSTILE_COMPLETIONS.length} crashes or retries; bad ones are dead-lettered, unknown names never count, good ones all do`, async () => {
    const h = await transitionHarness({
      start: HOSTILE_NOW.toISOString(),
      games: { [GOOD_DATE]: 5, '2026-01-17': 5, '2026-01-18': 6 },
      subscribe: [TOPIC.deadLetter, TOPIC.phase4Trigger],
    });
    const good = PHASE3.map((processor, i) =>
      h.completion(TOPIC.phase3, {
        processor_name: processor,
        game_date: GOOD_DATE,
        execution_id: `good-${i}`,
      }),
    );
    const refused = HOSTILE_COMPLETIONS.filter(
      (entry) => !entry.expect.ok || entry.expect.plausibleAt === false,
    );
    // not even Pub/Sub-shaped, or on a topic nothing listens to, or a broken tick
    const strays = [
      {
        id: 'no-message',
        source: `//pubsub.googleapis.com/projects/${h.projectId}/topics/${TOPIC.phase3}`,
        data: {},
      },
      h.event('nba-some-other-topic', {
        processor_name: 'player_game_summary',
        game_date: GOOD_DATE,
        status: 'success',
      }),
      h.event(TOPIC.tick, '{"job":'),
    ];

    let goodIndex = 0;
    const outcomes: Array<{ name: string; attempts: number; error?: Error }> = [];
    for (const [i, entry] of HOSTILE_COMPLETIONS.entries()) {
      const result = await h.deliver(h.event(TOPIC.phase3, entry.data, `hostile-${i}`));
      outcomes.push({ name: entry.name, ...result });
      if (i % 9 === 0 && goodIndex < good.length) {
        const next = good[goodIndex++]!;
        outcomes.push({ name: `good ${goodIndex}`, ...(await h.deliver(next)) });
      }
    }
    for (const stray of strays) outcomes.push({ name: stray.id, ...(await h.deliver(stray as never)) });
    while (goodIndex < good.length) outcomes.push({ name: 'good', ...(await h.deliver(good[goodIndex++]!)) });

    // nothing crashed, nothing was thrown back for redelivery
    expect(outcomes.filter((outcome) => outcome.error || outcome.attempts > 1)).toEqual([]);

    const letters = (await h.subscriptions[TOPIC.deadLetter]!.drain()).map((m) => m.data as DeadLetter);
    expect(letters).toHaveLength(refused.length + strays.length);
    for (const entry of refused) {
      const index = HOSTILE_COMPLETIONS.indexOf(entry);
      const letter = letters.find((candidate) => candidate.message_id === `hostile-${index}`);
      expect(letter, entry.name).toBeDefined();
      expect(letter!.function_name).toBe('phaseTransition');
      if (!entry.expect.ok) expect(letter!.reason, entry.name).toContain(entry.expect.reasonIncludes);
      else expect(letter!.reason, entry.name).toMatch(/more than 30 days/);
    }
    // each reason was logged with the message id
    const logged = h.logs.filter((line) => line.message.startsWith('dead-lettered:'));
    expect(logged).toHaveLength(letters.length);

    // the good date fired once, with all five counted
    const triggers = (await h.subscriptions[TOPIC.phase4Trigger]!.drain()).map(
      (m) => m.data as Phase4Trigger,
    );
    const goodTriggers = triggers.filter((trigger) => trigger.game_date === GOOD_DATE);
    expect(goodTriggers.map((trigger) => trigger.source_table).sort()).toEqual([...PHASE3].sort());
    expect(goodTriggers[0]!.quality).toMatchObject({ degraded: false, missing: [] });

    // accepted hostile ones: the unknown name is kept as sent and said once at INFO, never counted
    const hostileDate = (await h.state.get('phase3_completion/2026-01-18'))!;
    expect(hostileDate._unknown_processors).toMatchObject({ FantasyDraftProcessor: { status: 'success' } });
    expect(
      Object.keys(hostileDate)
        .filter((field) => !field.startsWith('_'))
        .sort(),
    ).toEqual(['upcoming_player_game_context', 'upcoming_team_game_context'].sort());
    expect(hostileDate._completed_count).toBe(2);
    const said = h.logs.filter((line) => line.message.includes('FantasyDraftProcessor is not a processor'));
    expect(said.map((line) => line.severity)).toEqual(['INFO']);
    await h.close();
  }, 180_000);
});
