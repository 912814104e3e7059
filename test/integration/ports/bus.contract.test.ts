import { describe, expect, it } from 'vitest';
import { emulatorPubSub, freshProjectId, subscribeForTest } from '../../support/backends.js';
import { PubSubBus } from '../../../shared/adapters/pubsub.bus.js';

describe('Bus on the Pub/Sub emulator', () => {
  it('publishes JSON with attributes that a subscriber receives', async () => {
    const pubsub = emulatorPubSub(freshProjectId('bus'));
    const bus = new PubSubBus(pubsub);
    const subscriber = await subscribeForTest(pubsub, 'nba-phase4-trigger');
    const id = await bus.publish({
      topic: 'nba-phase4-trigger',
      data: { source_table: 'upcoming_player_game_context', game_date: '2026-01-17' },
      attributes: { game_date: '2026-01-17' },
    });
    expect(id).toMatch(/\d+/);
    const received = await subscriber.drain();
    expect(received).toEqual([
      {
        data: { source_table: 'upcoming_player_game_context', game_date: '2026-01-17' },
        attributes: { game_date: '2026-01-17' },
      },
    ]);
  });

  it('answers topology questions: topics, their subscriptions, dead-letter topics', async () => {
    const pubsub = emulatorPubSub(freshProjectId('bus'));
    const bus = new PubSubBus(pubsub);
    expect(await bus.topicExists('nba-phase3-trigger')).toBe(false);
    const [topic] = await pubsub.createTopic('nba-phase3-trigger');
    const [deadLetter] = await pubsub.createTopic('nba-phase3-trigger-dlq');
    expect(await bus.topicExists('nba-phase3-trigger')).toBe(true);
    expect(await bus.subscriptionsOf('nba-phase3-trigger')).toEqual([]);
    await topic.createSubscription('rerun-sub', {
      deadLetterPolicy: { deadLetterTopic: deadLetter.name, maxDeliveryAttempts: 5 },
    });
    expect(await bus.subscriptionsOf('nba-phase3-trigger')).toEqual(['rerun-sub']);
    expect(await bus.deadLetterTopicOf('rerun-sub')).toBe('nba-phase3-trigger-dlq');
  });

  it('fails the publish when the topic does not exist, so callers can retry', async () => {
    const bus = new PubSubBus(emulatorPubSub(freshProjectId('bus')));
    await expect(bus.publish({ topic: 'no-such-topic', data: {} })).rejects.toThrow(/not found|NOT_FOUND/i);
  });
});
