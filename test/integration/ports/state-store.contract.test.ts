import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../../shared/adapters/memory.state-store.js';
import type { StateStore } from '../../../shared/ports/state-store.port.js';
import { rememberingStateStore } from '../../../scripts/local/remembered-reads.js';
import { emulatorStateStore, freshProjectId } from '../../support/backends.js';

const backends: Array<[string, () => StateStore]> = [
  ['Firestore emulator', () => emulatorStateStore(freshProjectId('state'))],
  // The replay's store (scripts/local/remembered-reads.ts) must answer exactly as the emulator does.
  [
    'Firestore emulator, reads remembered',
    () => rememberingStateStore(emulatorStateStore(freshProjectId('state'))),
  ],
  ['in-memory (unit tests only)', () => new MemoryStateStore()],
];

describe.each(backends)('StateStore on %s', (_name, open) => {
  it('merges fields without dropping the ones another writer set', async () => {
    const store = open();
    await store.merge('phase3_completion/2026-01-17', {
      upcoming_player_game_context: { status: 'success', record_count: 1 },
    });
    await store.merge('phase3_completion/2026-01-17', {
      team_offense_game_summary: { status: 'success' },
      upcoming_player_game_context: { record_count: 156 },
      _completed_count: 2,
    });
    expect(await store.get('phase3_completion/2026-01-17')).toEqual({
      upcoming_player_game_context: { status: 'success', record_count: 156 },
      team_offense_game_summary: { status: 'success' },
      _completed_count: 2,
    });
    expect(await store.get('phase3_completion/2026-01-18')).toBeUndefined();
  });

  it('stores a Date as a timestamp and reads it back as the same instant, at any depth and through a merge', async () => {
    const store = open();
    const completedAt = new Date('2026-01-17T22:01:40.123Z');
    await store.merge('phase3_completion/2026-01-17', {
      upcoming_player_game_context: { completed_at: completedAt, status: 'success' },
      _first_completion_at: '2026-01-17T22:01:40.123Z',
    });
    await store.transaction(async (tx) => {
      tx.merge('phase3_completion/2026-01-17', { _triggered_at: new Date('2026-01-17T22:31:40Z') });
    });
    await store.merge('phase3_completion/2026-01-17', {
      upcoming_player_game_context: { record_count: 156 },
    });
    const document = (await store.get('phase3_completion/2026-01-17')) ?? {};
    const record = document.upcoming_player_game_context as Record<string, unknown>;
    expect(record.completed_at).toBeInstanceOf(Date);
    expect((record.completed_at as Date).toISOString()).toBe('2026-01-17T22:01:40.123Z');
    expect(record.record_count).toBe(156);
    expect((document._triggered_at as Date).toISOString()).toBe('2026-01-17T22:31:40.000Z');
    expect(document._first_completion_at).toBe('2026-01-17T22:01:40.123Z');
    const listed = await store.list('phase3_completion', [
      { field: '_triggered_at', op: '>=', value: new Date('2026-01-17T22:00:00Z') },
    ]);
    expect(listed.map((entry) => (entry.data._triggered_at as Date).toISOString())).toEqual([
      '2026-01-17T22:31:40.000Z',
    ]);
  });

  it('lists a collection with filters', async () => {
    const store = open();
    await store.merge('retries/a', { state: 'pending', due_at: '2026-01-17T22:30:00.000Z' });
    await store.merge('retries/b', { state: 'pending', due_at: '2026-01-17T23:30:00.000Z' });
    await store.merge('retries/c', { state: 'done', due_at: '2026-01-17T22:00:00.000Z' });
    const due = await store.list('retries', [
      { field: 'state', op: '==', value: 'pending' },
      { field: 'due_at', op: '<=', value: '2026-01-17T23:00:00.000Z' },
    ]);
    expect(due.map((document) => document.id)).toEqual(['a']);
  });

  it('lets exactly one of many concurrent transactions claim a date', async () => {
    const store = open();
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, worker) =>
        store.transaction(async (tx) => {
          const current = await tx.get('claims/2026-01-17');
          if (current?.claimed_by !== undefined) return false;
          tx.merge('claims/2026-01-17', { claimed_by: worker });
          return true;
        }),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    const claimed = await store.get('claims/2026-01-17');
    expect(claims[claimed?.claimed_by as number]).toBe(true);
  });

  it('refuses to create a document twice and rolls the transaction back', async () => {
    const store = open();
    await store.transaction(async (tx) => tx.create('outbox/x', { state: 'pending' }));
    await expect(
      store.transaction(async (tx) => {
        tx.merge('outbox/y', { state: 'pending' });
        tx.create('outbox/x', { state: 'again' });
      }),
    ).rejects.toThrow();
    expect(await store.get('outbox/x')).toEqual({ state: 'pending' });
    expect(await store.get('outbox/y')).toBeUndefined();
  });
});
