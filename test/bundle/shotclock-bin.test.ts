import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/build.js';

const run = promisify(execFile);

/** `npx shotclock` as it works right after `npm ci`: the package's own bin, no global install. */
describe('the shotclock command', () => {
  it('is the package bin: an executable node script', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    const bin = join(REPO_ROOT, manifest.bin.shotclock);
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(() => accessSync(bin, constants.X_OK)).not.toThrow();
  });

  it('answers `npx shotclock --help` with its commands', async () => {
    const { stdout } = await run('npx', ['--no-install', 'shotclock', '--help'], { cwd: REPO_ROOT });
    expect(stdout).toMatch(/^Usage: shotclock \[options\] \[command\]/);
    for (const command of ['config', 'probe']) expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  }, 60_000);

  it('explains a command with `npx shotclock probe --help`', async () => {
    const { stdout } = await run('npx', ['--no-install', 'shotclock', 'probe', '--help'], { cwd: REPO_ROOT });
    expect(stdout).toContain('Usage: shotclock probe [options]');
    expect(stdout).toContain('--function <name=url>');
  }, 60_000);
});
