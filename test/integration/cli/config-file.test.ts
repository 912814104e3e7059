import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runShotclock } from '../../../scripts/cli/program.js';
import { cliSettings } from '../../../scripts/cli/settings.js';
import { readScenario } from '../../../scripts/replay/scenario.js';
import { runtimeSettings } from '../../../shared/runtime/settings.js';

const scratch = mkdtempSync(join(tmpdir(), 'shotclock-config-file-'));
const configFile = join(scratch, 'my-pipeline.json');
writeFileSync(
  configFile,
  JSON.stringify({
    delivery: { min_backoff_seconds: 30 },
    freshness_gate: { cutoff_local_time: '21:15' },
    alerts: { cooldown_minutes: 90 },
  }),
);

afterEach(() => {
  delete process.env.SHOTCLOCK_CONFIG_FILE;
  process.exitCode = undefined;
});

describe('one config file changes what every part does', () => {
  it('deploy --plan: the push subscriptions get the file’s backoff', async () => {
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      expect(await runShotclock(['node', 'shotclock', 'deploy', '--project', 'p', '--plan'])).toBe(0);
      const withDefault = printed.splice(0).join('');
      expect(
        await runShotclock([
          'node',
          'shotclock',
          '--config',
          configFile,
          'deploy',
          '--project',
          'p',
          '--plan',
        ]),
      ).toBe(0);
      const withFile = printed.join('');
      expect(withDefault).toContain('--min-retry-delay=60s');
      expect(withDefault).not.toContain('--min-retry-delay=30s');
      expect(withFile).toContain('--min-retry-delay=30s');
      expect(withFile).not.toContain('--min-retry-delay=60s');
    } finally {
      write.mockRestore();
    }
  });

  it('replay: the scenario runs on the file’s config, its own config merged over it', async () => {
    process.env.SHOTCLOCK_CONFIG_FILE = configFile;
    const { config } = await readScenario(
      'test/scenarios/freshness-gate-2026-01-17.json',
      cliSettings().override,
    );
    expect(config.freshness_gate.cutoff_local_time).toBe('21:15');
    expect(config.alerts.cooldown_minutes).toBe(90);
    delete process.env.SHOTCLOCK_CONFIG_FILE;
    const { config: defaults } = await readScenario('test/scenarios/freshness-gate-2026-01-17.json');
    expect(defaults.freshness_gate.cutoff_local_time).toBe('22:00');
  });

  it('the functions: SHOTCLOCK_CONFIG_FILE is read where a deployed function builds its settings', () => {
    process.env.SHOTCLOCK_CONFIG_FILE = configFile;
    const settings = runtimeSettings();
    expect(settings.config.alerts.cooldown_minutes).toBe(90);
    expect(settings.config.delivery.min_backoff_seconds).toBe(30);
  });
});
