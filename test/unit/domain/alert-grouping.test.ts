import { describe, expect, it } from 'vitest';
import {
  type AlertGroupState,
  afterNotice,
  decideGroupNotice,
  type GroupCondition,
} from '../../../shared/domain/alert-grouping.js';
import type { AlertSeverity } from '../../../shared/messages/alert.js';

const policy = { group_wait_minutes: 2, repeat_interval_minutes: 240 };
const T0 = Date.parse('2026-01-18T12:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

function condition(
  key: string,
  severity: AlertSeverity,
  status: 'open' | 'resolved' = 'open',
): GroupCondition {
  return {
    key,
    rule: 'phase_completion_low',
    subject: key,
    severity,
    message: `${key} is wrong`,
    status,
    opened_at: iso(0),
  };
}

function state(
  conditions: GroupCondition[],
  notified: Record<string, AlertSeverity> | null,
  notifiedAt: number | null,
  changedAt: number | null,
): AlertGroupState {
  return {
    conditions: Object.fromEntries(conditions.map((c) => [c.key, c])),
    notified: notified && notifiedAt !== null ? { at: iso(notifiedAt), severities: notified } : null,
    changed_at: changedAt === null ? null : iso(changedAt),
  };
}

describe('one notice per pipeline date', () => {
  it.each([
    ['a new group inside the group wait', state([condition('a', 'ERROR')], null, null, 0), 1, undefined],
    ['a new group after the group wait', state([condition('a', 'ERROR')], null, null, 0), 2, 'opened'],
    [
      'nothing changed, 3 h after the notice',
      state([condition('a', 'ERROR')], { a: 'ERROR' }, 0, null),
      180,
      undefined,
    ],
    [
      'nothing changed, 4 h after the notice',
      state([condition('a', 'ERROR')], { a: 'ERROR' }, 0, null),
      240,
      'reminder',
    ],
    [
      'a condition added, after the group wait',
      state([condition('a', 'ERROR'), condition('b', 'WARNING')], { a: 'ERROR' }, 0, 30),
      32,
      'updated',
    ],
    [
      'a condition worse, after the group wait',
      state([condition('a', 'CRITICAL')], { a: 'ERROR' }, 0, 30),
      33,
      'updated',
    ],
    [
      'a condition milder: no news',
      state([condition('a', 'WARNING')], { a: 'ERROR' }, 0, null),
      60,
      undefined,
    ],
    [
      'the last condition cleared, people told',
      state([condition('a', 'ERROR', 'resolved')], { a: 'ERROR' }, 0, null),
      60,
      'resolved',
    ],
    [
      'cleared inside the group wait: nobody told',
      state([condition('a', 'ERROR', 'resolved')], null, null, 0),
      1,
      undefined,
    ],
  ])('%s -> %s', (_case, group, minute, kind) => {
    expect(decideGroupNotice(group, at(minute), policy)?.kind).toBe(kind);
  });

  it('lists every open condition, most severe first, with the highest severity and what cleared', () => {
    const group = state(
      [condition('a', 'ERROR'), condition('b', 'CRITICAL'), condition('c', 'WARNING', 'resolved')],
      { a: 'ERROR', c: 'WARNING' },
      0,
      10,
    );
    const decision = decideGroupNotice(group, at(12), policy)!;
    expect(decision.kind).toBe('updated');
    expect(decision.severity).toBe('CRITICAL');
    expect(decision.open.map((c) => [c.key, c.change])).toEqual([
      ['b', 'new'],
      ['a', null],
    ]);
    expect(decision.cleared.map((c) => c.key)).toEqual(['c']);
  });

  it('a stuck day: one notice, then reminders 4 h apart, never more', () => {
    let group = state([condition('a', 'ERROR'), condition('b', 'CRITICAL')], null, null, 0);
    const sent: Array<[number, string]> = [];
    for (let minute = 0; minute <= 12 * 60; minute += 5) {
      const decision = decideGroupNotice(group, at(minute), policy);
      if (!decision) continue;
      sent.push([minute, decision.kind]);
      group = afterNotice(group, decision, at(minute));
    }
    expect(sent).toEqual([
      [5, 'opened'],
      [245, 'reminder'],
      [485, 'reminder'],
    ]);
  });
});
