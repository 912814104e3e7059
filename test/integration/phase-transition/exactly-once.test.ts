import { describe, expect, it } from 'vitest';
import { type Phase4Trigger, PhaseReady } from '../../../shared/messages/phase4-trigger.js';
import type { StateStore, StateTransaction } from '../../../shared/ports/state-store.port.js';
import { PHASE3, PHASE4, TOPIC, transitionHarness } from './harness.js';

const DATES = Array.from({ length: 20 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}`);

/** Deterministic shuffle (a fixed LCG), so a failure can be reproduced. */
function shuffled<T>(items: T[], seed = 42): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i -= 1) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function inPool<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe('phaseTransition: exactly one trigger per (transition, date)', () => {
  it('5 processors x 20 dates x 10 duplicate deliveries, concurrently: 20 triggers, 100 completions', async () => {
    const h = await transitionHarness({
      start: '2026-01-20T18:00:00Z',
      games: Object.fromEntries(DATES.map((date) => [date, 3])),
      subscribe: [TOPIC.ready],
    });
    const deliveries = DATES.flatMap((date) =>
      PHASE4.flatMap((processor) =>
        Array.from({ length: 10 }, () =>
          // the same message id each time: a redelivery, not a new message
          h.completion(
            TOPIC.phase4,
            {
              processor_name: processor,
              game_date: date,
              execution_id: `${processor}-${date}`,
              phase: 'phase_4_precompute',
            },
            `${processor}-${date}`,
          ),
        ),
      ),
    );
    // two function instances side by side, as Pub/Sub spreads a burst
    const instances = [h.handler, h.newInstance()];
    const results: Array<{ attempts: number; error?: Error }> = [];
    let turn = 0;
    const started = Date.now();
    await inPool(shuffled(deliveries), 100, async (delivery) => {
      const instance = instances[turn++ % instances.length]!;
      results.push(await h.deliver(delivery, undefined, instance));
    });
    console.log(`burst of ${deliveries.length} deliveries took ${Date.now() - started} ms`);
    expect(results.filter((result) => result.error)).toEqual([]);

    const received = await h.subscriptions[TOPIC.ready]!.drain(2000);
    const ready = received.map((message) => message.data as PhaseReady);
    expect(ready).toHaveLength(20);
    expect(new Set(ready.map((message) => message.game_date))).toEqual(new Set(DATES));
    for (const message of ready) {
      expect(PhaseReady.safeParse(message).success).toBe(true);
      expect(message).toMatchObject({
        transition: 'phase4_to_phase5',
        trigger_reason: 'all_complete',
        quality: { degraded: false },
      });
    }

    let recorded = 0;
    for (const date of DATES) {
      const document = (await h.state.get(`phase4_completion/${date}`))!;
      recorded += PHASE4.filter(
        (name) => (document[name] as { status?: string })?.status === 'success',
      ).length;
      expect(document).toMatchObject({
        _completed_count: 5,
        _triggered: true,
        _trigger_reason: 'all_complete',
        _open: false,
      });
      // a Firestore Timestamp, as the incumbent's tools read it
      expect(document._triggered_at).toBeInstanceOf(Date);
    }
    expect(recorded).toBe(100);
    await h.close();
  }, 180_000);

  it('a publish that fails twice still yields exactly one trigger, after ticks', async () => {
    const h = await transitionHarness({
      start: '2026-01-17T22:00:00Z',
      games: { '2026-01-18': 6 },
      subscribe: [TOPIC.phase4Trigger],
    });
    h.bus.failNext(TOPIC.phase4Trigger, 2);
    for (const processor of PHASE3)
      expect(
        (await h.deliver(h.completion(TOPIC.phase3, { processor_name: processor, game_date: '2026-01-18' })))
          .error,
      ).toBeUndefined();
    expect(h.bus.on(TOPIC.phase4Trigger)).toEqual([]);
    expect((await h.state.get('phase3_completion/2026-01-18'))?._triggered).toBe(false);

    await h.tickUntil('2026-01-17T22:30:00Z');
    const received = (await h.subscriptions[TOPIC.phase4Trigger]!.drain()).map(
      (m) => m.data as Phase4Trigger,
    );
    // one trigger = one message per Phase 3 source table, each exactly once
    expect(received.map((message) => message.source_table).sort()).toEqual([...PHASE3].sort());
    expect(new Set(received.map((message) => message.trigger_reason))).toEqual(new Set(['all_complete']));
    const document = (await h.state.get('phase3_completion/2026-01-18'))!;
    expect(document).toMatchObject({ _triggered: true, _trigger_reason: 'all_complete' });
    // the decision at 22:00 and the tick at 22:05 both failed; the outbox then backs off 10 minutes.
    // `_triggered` and `_triggered_at` (the decision's instant, a Timestamp) appear only once it went out
    expect(document._trigger_sent_at).toBe('2026-01-17T22:15:00.000Z');
    expect(document._triggered_at).toEqual(new Date('2026-01-17T22:00:00.000Z'));
    await h.close();
  }, 120_000);

  it('a crash between the decision and the publish is recovered by the tick, once', async () => {
    let crashes = 1;
    /** Commits the decision's transaction, then dies as the instance would, before the publish. */
    const crashAfterDecision = (inner: StateStore): StateStore => ({
      get: (path) => inner.get(path),
      merge: (path, fields) => inner.merge(path, fields),
      delete: (path) => inner.delete(path),
      list: (collection, filters, limit) => inner.list(collection, filters, limit),
      async transaction(work) {
        let queued = false;
        const result = await inner.transaction((tx) =>
          work({
            ...tx,
            get: (path) => tx.get(path),
            merge: (path, fields) => tx.merge(path, fields),
            delete: (path) => tx.delete(path),
            create: (path, data) => {
              if (path.startsWith('shotclock_outbox/')) queued = true;
              tx.create(path, data);
            },
          } satisfies StateTransaction),
        );
        if (queued && crashes > 0) {
          crashes -= 1;
          throw new Error('instance crashed after the decision committed');
        }
        return result;
      },
    });
    const h = await transitionHarness({
      start: '2026-01-17T22:00:00Z',
      games: { '2026-01-18': 6 },
      wrapState: crashAfterDecision,
      subscribe: [TOPIC.ready],
    });
    const completions = PHASE4.map((processor) =>
      h.completion(TOPIC.phase4, {
        processor_name: processor,
        game_date: '2026-01-18',
        execution_id: `x-${processor}`,
      }),
    );
    for (const completion of completions.slice(0, -1)) await h.handler(completion);
    const last = completions.at(-1)!;
    await expect(h.handler(last)).rejects.toThrow(/instance crashed/);
    expect(h.bus.on(TOPIC.ready)).toEqual([]);
    expect((await h.state.get('phase4_completion/2026-01-18'))?._triggered).toBe(false);

    await h.tickUntil('2026-01-17T22:05:00Z');
    expect(h.bus.on(TOPIC.ready).map((message) => message.at)).toEqual(['2026-01-17T22:05:00.000Z']);
    // Pub/Sub redelivers the message the crashed instance never acked; more ticks come: still one trigger.
    await h.handler(last);
    await h.tickUntil('2026-01-17T22:30:00Z');
    const received = await h.subscriptions[TOPIC.ready]!.drain();
    expect(received).toHaveLength(1);
    expect(received[0]!.data).toMatchObject({ game_date: '2026-01-18', trigger_reason: 'all_complete' });
    expect(await h.state.get('phase4_completion/2026-01-18')).toMatchObject({
      _triggered: true,
      _triggered_at: new Date('2026-01-17T22:00:00.000Z'),
      _trigger_sent_at: '2026-01-17T22:05:00.000Z',
    });
    await h.close();
  }, 120_000);
  it('the tick finds a date that looks complete in the state but never triggered, and fires it once', async () => {
    const h = await transitionHarness({
      start: '2026-01-17T22:00:00Z',
      games: { '2026-01-18': 6 },
      subscribe: [TOPIC.phase4Trigger],
    });
    // as an older writer left it: every processor recorded, nothing decided, nothing published
    await h.state.merge('phase3_completion/2026-01-18', {
      ...Object.fromEntries(
        PHASE3.map((name) => [
          name,
          {
            completed_at: '2026-01-17T21:40:00.000Z',
            status: 'success',
            record_count: 12,
            execution_id: `old-${name}`,
          },
        ]),
      ),
      _completed_count: 5,
      _triggered: false,
      _open: true,
    });
    await h.tickUntil('2026-01-17T22:20:00Z');
    const received = (await h.subscriptions[TOPIC.phase4Trigger]!.drain()).map(
      (m) => m.data as Phase4Trigger,
    );
    expect(received.map((message) => message.source_table).sort()).toEqual([...PHASE3].sort());
    expect(received.every((message) => message.timestamp === '2026-01-17T22:05:00.000Z')).toBe(true);
    expect(await h.state.get('phase3_completion/2026-01-18')).toMatchObject({
      _triggered: true,
      _trigger_reason: 'all_complete',
      _first_completion_at: '2026-01-17T21:40:00.000Z',
      _open: false,
    });
    await h.close();
  }, 120_000);
  it('two ticks at once (two instances) re-drive a pending trigger once', async () => {
    const h = await transitionHarness({
      start: '2026-01-17T22:00:00Z',
      games: { '2026-01-18': 6 },
      subscribe: [TOPIC.ready],
    });
    h.bus.failNext(TOPIC.ready, 1);
    for (const processor of PHASE4)
      await h.deliver(h.completion(TOPIC.phase4, { processor_name: processor, game_date: '2026-01-18' }));
    expect(h.bus.on(TOPIC.ready)).toEqual([]);
    h.clock.set('2026-01-17T22:05:00Z');
    const tick = () => h.event(TOPIC.tick, { job: 'shotclock-tick' });
    const instances = [h.handler, h.newInstance(), h.newInstance()];
    await Promise.all(instances.map((instance) => h.deliver(tick(), undefined, instance)));
    await h.tickUntil('2026-01-17T22:20:00Z');
    const received = await h.subscriptions[TOPIC.ready]!.drain();
    expect(received).toHaveLength(1);
    expect(received[0]!.data).toMatchObject({ game_date: '2026-01-18', trigger_reason: 'all_complete' });
    await h.close();
  }, 120_000);
});
