import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_REFERENCE_PATH, renderConfigReference } from '../../../scripts/generate-config-docs.js';

describe('docs/config-reference.md', () => {
  it('is what the zod schema generates today (run `npm run docs` after changing the schema)', () => {
    expect(readFileSync(CONFIG_REFERENCE_PATH, 'utf8')).toBe(renderConfigReference());
  });

  it('lists every key of the config, nested ones by path', () => {
    const reference = renderConfigReference();
    for (const key of [
      'alerts.cooldown_minutes',
      'freshness_gate.checks[].min_players',
      'transitions[].rule.(tiered).tiers[].after_minutes',
      'schedules[].time_zone',
      'delivery.min_backoff_seconds',
    ])
      expect(reference).toContain(`| \`${key}\` |`);
  });
});
