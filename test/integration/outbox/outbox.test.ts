import { afterEach, describe, expect, it } from 'vitest';
import { downstreamActions } from '../../../shared/runtime/downstream.js';
import { drivePending, type OutboxAction } from '../../../shared/runtime/outbox.js';
import { consumer, type OutboxWorld, outboxWorld } from './harness.js';

const TOPIC = 'nba-predictions-trigger';
const publishes = (n: number): OutboxAction[] =>
  Array.from({ length: n }, (_, index) => ({ kind: 'publish', topic: TOPIC, data: { action: index } }));

const countByKey = (messages: Array<{ attributes: Record<string, string> }>) => {
  const counts: Record<string, number> = {};
  for (const { attributes } of messages)
    counts[attributes.shotclock_outbox_id!] = (counts[attributes.shotclock_outbox_id!] ?? 0) + 1;
  return counts;
};

let world: OutboxWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('outbox: exactly once as a consumer deduplicating on the key sees it', () => {
  it('a driver that dies after publishing action 1 and before marking it: only action 1 goes out again, with the same key', async () => {
    world = await outboxWorld();
    const received = await consumer(world.pubsub, TOPIC);
    await world.queue('crash', 'freshnessGate', publishes(3), {
      path: 'freshness_gate/2026-01-18',
      fields: { _triggered: true },
      sent_at_field: '_triggered_at',
    });
    world.bus.holdPublish(2, 'after');
    const first = world.drive('crash');
    await world.bus.reached; // action 1 is on the broker; its driver never answers
    world.clock.advance(121_000); // the dead driver's lease runs out
    expect(await drivePending(world.deps, 'freshnessGate')).toBe(1);

    const messages = await received.settle(4);
    expect(countByKey(messages)).toEqual({ 'crash:0': 1, 'crash:1': 2, 'crash:2': 1 });
    expect(messages.filter((m) => m.attributes.shotclock_outbox_id === 'crash:1').map((m) => m.data)).toEqual(
      [{ action: 1 }, { action: 1 }],
    );
    const entry = await world.entry('crash');
    expect(entry.state).toBe('sent');
    expect(entry.progress['1']).toMatchObject({ state: 'sent', resent_unknown: 1 });
    expect(entry.progress['0']).toMatchObject({ state: 'sent', resent_unknown: 0 });
    expect(entry.progress['2']).toMatchObject({ state: 'sent', resent_unknown: 0 });
    expect(await world.state.get('freshness_gate/2026-01-18')).toEqual({
      _triggered: true,
      _triggered_at: world.clock.now().toISOString(),
    });

    // The old driver wakes up: its lease is gone, so it marks nothing and sends nothing more.
    world.bus.release();
    expect(await first).toBe(false);
    expect(await received.settle(4)).toHaveLength(4);
    expect(new Set(messages.map((m) => m.attributes.shotclock_outbox_id)).size).toBe(3);
    await received.close();
  });

  it('a lease that expires mid-publish: the late copy and the new driver’s copy carry the same key, the old driver marks nothing', async () => {
    world = await outboxWorld();
    const received = await consumer(world.pubsub, TOPIC);
    await world.queue('slow', 'freshnessGate', publishes(3));
    world.bus.holdPublish(2, 'before');
    const first = world.drive('slow');
    await world.bus.reached; // action 1 is still on its way to the broker
    world.clock.advance(121_000);
    expect(await world.drive('slow')).toBe(true);
    expect(countByKey(await received.settle(3))).toEqual({ 'slow:0': 1, 'slow:1': 1, 'slow:2': 1 });

    world.bus.release(); // the slow publish lands after all
    expect(await first).toBe(false);
    const messages = await received.settle(4);
    expect(countByKey(messages)).toEqual({ 'slow:0': 1, 'slow:1': 2, 'slow:2': 1 });
    expect((await world.entry('slow')).state).toBe('sent');
    expect(world.logs.some((line) => String(line.message).startsWith('lease lost before action 1'))).toBe(
      true,
    );
    await received.close();
  });

  it('a publish that never answers gives up at the action timeout, well inside the lease, and the next tick sends it', async () => {
    world = await outboxWorld('2026-01-17T22:00:00Z', {
      outbox: { action_timeout_seconds: 1, lease_seconds: 10 },
    });
    const received = await consumer(world.pubsub, TOPIC);
    await world.queue('hung', 'freshnessGate', publishes(1));
    world.bus.holdPublish(1, 'before');
    const started = Date.now();
    expect(await world.drive('hung')).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    const entry = await world.entry('hung');
    expect(entry).toMatchObject({ state: 'pending', lease: null, attempts: 1 });
    expect(entry.progress['0']).toMatchObject({
      state: 'failed',
      detail: expect.stringContaining('no answer within 1000 ms'),
    });

    await world.ticks('freshnessGate', 5);
    expect(countByKey(await received.settle(1))).toEqual({ 'hung:0': 1 });
    expect((await world.entry('hung')).state).toBe('sent');
    world.bus.release();
    await received.close();
  });

  it('each function drives only its own entries', async () => {
    world = await outboxWorld();
    const received = await consumer(world.pubsub, TOPIC);
    await world.queue('gate-entry', 'freshnessGate', publishes(1));
    world.clock.advance(60_000);
    expect(await drivePending(world.deps, 'phaseTransition')).toBe(0);
    expect(await drivePending(world.deps, 'recordCountCheck')).toBe(0);
    expect(await received.settle(0, 500)).toEqual([]);
    expect(await drivePending(world.deps, 'freshnessGate')).toBe(1);
    expect(await received.settle(1)).toHaveLength(1);
    await received.close();
  });
});

describe('outbox: HTTP calls to the pipeline’s services', () => {
  const start = (config: OutboxWorld['config']) =>
    downstreamActions(config, config.downstream.predictions, {
      body: { game_date: '2026-01-18', correlation_id: 'corr-1', trigger_source: 'freshness_gate' },
      message: { topic: TOPIC, data: { game_date: '2026-01-18' } },
    });

  it('503 twice, then 202: retried on the ticks with the same Idempotency-Key and an ID token for the coordinator', async () => {
    world = await outboxWorld();
    const coordinator = world.services.prediction_coordinator;
    const received = await consumer(world.pubsub, TOPIC);
    coordinator.failNext(2, 503);
    await world.queue('start', 'freshnessGate', start(world.config));
    expect(await world.drive('start')).toBe(false);
    await world.ticks('freshnessGate', 20); // backoff 5 then 10 minutes

    expect(coordinator.requests.map((request) => request.status)).toEqual([503, 503, 202]);
    for (const request of coordinator.requests)
      expect(request).toMatchObject({
        path: '/start',
        method: 'POST',
        idempotency_key: 'start:0',
        audience: coordinator.url,
        body: { game_date: '2026-01-18', correlation_id: 'corr-1', trigger_source: 'freshness_gate' },
      });
    expect(coordinator.startedDates()).toEqual(['2026-01-18']);
    expect(countByKey(await received.settle(1))).toEqual({ 'start:1': 1 });
    expect((await world.entry('start')).state).toBe('sent');
    expect(await world.alerts.settle(0, 300)).toEqual([]);
    await received.close();
  });

  it('a 400 from a wrong body is not retried and raises one alert naming the URL and the answer', async () => {
    world = await outboxWorld();
    const analytics = world.services.analytics_service;
    const [rerun] = downstreamActions(world.config, world.config.downstream.phase3_rerun, {
      // shotclock's own re-run message shape, which the analytics service does not read
      body: { processor_name: 'upcoming_player_game_context', game_date: '2026-01-17' },
      message: { topic: 'nba-phase3-trigger', data: {} },
    });
    await world.queue('wrong-body', 'recordCountCheck', [rerun!]);
    expect(await world.drive('wrong-body')).toBe(false);
    await world.ticks('recordCountCheck', 120);

    expect(analytics.requests.map((request) => request.status)).toEqual([400]);
    expect((await world.entry('wrong-body')).state).toBe('rejected');
    const alerts = await world.alerts.settle(1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.data).toMatchObject({
      rule: 'outbox_rejected',
      key: 'outbox_rejected:recordCountCheck:analytics_service',
    });
    expect(alerts[0]!.data.message).toContain(`POST ${analytics.url}/process-date-range answered 400`);
    expect(alerts[0]!.data.message).toContain('start_date and end_date required');
  });

  it('a destination that always fails: one alert naming it and its last error, retries spaced out, one resolved notice', async () => {
    world = await outboxWorld();
    const coordinator = world.services.prediction_coordinator;
    const received = await consumer(world.pubsub, TOPIC);
    coordinator.failAlways(503);
    await world.queue('down', 'freshnessGate', start(world.config));
    await world.drive('down');
    await world.ticks('freshnessGate', 240); // four hours of 5-minute ticks

    // Backoff 5, 10, 20, 40, 60, 60 minutes: 7 attempts in four hours, not 49.
    expect(coordinator.requests).toHaveLength(7);
    const alerts = await world.alerts.settle(1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.data).toMatchObject({
      rule: 'outbox_stuck',
      severity: 'ERROR',
      key: 'outbox_stuck:freshnessGate:prediction_coordinator',
    });
    expect(alerts[0]!.data.message).toContain(
      `POST ${coordinator.url}/start has not gone out after 5 attempts`,
    );
    expect(alerts[0]!.data.message).toContain('HTTP 503');

    coordinator.recover();
    await world.ticks('freshnessGate', 60);
    expect(coordinator.startedDates()).toEqual(['2026-01-18']);
    expect((await world.entry('down')).state).toBe('sent');
    const notices = await world.alerts.settle(2);
    expect(notices.map((notice) => notice.attributes.kind)).toEqual(['alert', 'resolved']);
    expect(countByKey(await received.settle(1))).toEqual({ 'down:1': 1 });
    await received.close();
  });

  it('a resent /start that finds the batch already running (409) counts as done', async () => {
    world = await outboxWorld();
    const coordinator = world.services.prediction_coordinator;
    await world.queue('first', 'freshnessGate', start(world.config).slice(0, 1));
    await world.queue('again', 'freshnessGate', start(world.config).slice(0, 1));
    expect(await world.drive('first')).toBe(true);
    expect(await world.drive('again')).toBe(true);
    expect(coordinator.requests.map((request) => request.status)).toEqual([202, 409]);
    expect(await world.alerts.settle(0, 300)).toEqual([]);
  });
});
