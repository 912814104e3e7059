import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_RESOLUTION } from '../../../shared/domain/alert-lifecycle.js';
import { AlertRule } from '../../../shared/messages/alert.js';

/**
 * Every rule resolves on a scheduled run. The table is the list; each named
 * file must mention the rule and clear something (`resolve(`, a `clear`
 * verdict), so a resolver removed from its file fails here.
 */
describe('every alert rule has a resolving condition checked on a schedule', () => {
  it.each(AlertRule.options)('%s', (rule) => {
    const resolution = RULE_RESOLUTION[rule];
    expect(resolution, `${rule} has no resolution`).toBeDefined();
    const source = readFileSync(resolution.file, 'utf8');
    expect(source, `${resolution.file} never names ${rule}`).toMatch(
      new RegExp(`'${rule}'|${rule.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}`),
    );
    expect(source, `${resolution.file} clears nothing`).toMatch(
      /\.resolve\(|kind: 'clear'|cleared\(|Cleared\(|Quiet\(|Unstuck\(|Closed\(/,
    );
  });

  it('lists exactly the rules there are', () => {
    expect(Object.keys(RULE_RESOLUTION).sort()).toEqual([...AlertRule.options].sort());
  });
});
