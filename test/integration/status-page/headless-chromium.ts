import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ENSURE_SCRIPT = resolve(import.meta.dirname, '../../../scripts/ensure-chromium.sh');

/** Flags from the machine notes: without the background-networking ones Chromium dials out at start. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--remote-debugging-address=127.0.0.1',
  '--remote-debugging-port=0',
];

/** Installs Debian's chromium when it is missing (the project's own script; quiet when present). */
export function ensureChromium(): void {
  execFileSync('bash', [ENSURE_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
}

export interface HeadlessChromium {
  browser: Browser;
  pid: number;
  close(): Promise<void>;
}

/**
 * Starts Chromium ourselves (so we own its pid and stop exactly it, even when
 * a test fails) with a fresh profile, and drives it over CDP with
 * playwright-core.
 */
export async function startChromium(): Promise<HeadlessChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'shotclock-chromium-'));
  const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // its own process group: renderer and zygote children stop with it
  });
  const pid = child.pid!;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5_000);
    await exited;
    clearTimeout(timer);
    await rm(profile, { recursive: true, force: true });
  };
  try {
    const endpoint = await new Promise<string>((found, failed) => {
      let output = '';
      const timer = setTimeout(() => failed(new Error(`Chromium did not start:\n${output}`)), 30_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = output.match(/DevTools listening on (ws:\/\/\S+)/);
        if (match) {
          clearTimeout(timer);
          found(match[1]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        failed(new Error(`Chromium exited with ${code}:\n${output}`));
      });
    });
    const browser = await chromium.connectOverCDP(endpoint);
    return {
      browser,
      pid,
      async close() {
        await browser.close().catch(() => undefined);
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
