import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorMissingError, type EmulatorName, startEmulators } from '../../scripts/local/emulators.js';

/**
 * The emulator lifecycle as a user sees it: what starts answers, and what was
 * started is gone afterwards (the launcher, its process group, the Java
 * child), whether the caller stops it, exits, or is interrupted. Only the
 * Pub/Sub emulator is started here: it is up in about two seconds.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface GroupMember {
  pid: number;
  command: string;
}

/** Live processes whose process group is `pgid`, read from /proc (zombies left out: they are already dead). */
function groupMembers(pgid: number): GroupMember[] {
  const members: GroupMember[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) !== pgid || state === 'Z') continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      members.push({ pid: Number(entry), command });
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}

/** Live children of this process: a refused start must spawn none. */
function childrenOfThisProcess(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === process.pid && state !== 'Z') children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

async function eventually<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = read();
  }
  return value;
}

async function answers(host: string): Promise<boolean> {
  try {
    return (await fetch(`http://${host}/`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** Groups this file started, killed in afterEach if a test failed half-way (only ours, by pid). */
const startedGroups = new Set<number>();
afterEach(() => {
  for (const pgid of startedGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  startedGroups.clear();
});

describe('startEmulators / stop', () => {
  it('starts the Pub/Sub emulator on a loopback port, and stop leaves no process of its group', async () => {
    const emulators = await startEmulators({ only: ['pubsub'] });
    for (const pid of emulators.pids) startedGroups.add(pid);
    expect(emulators.hosts.pubsub).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(emulators.env).toEqual({ PUBSUB_EMULATOR_HOST: emulators.hosts.pubsub });
    expect(await answers(emulators.hosts.pubsub)).toBe(true);

    const [pgid] = emulators.pids;
    const running = groupMembers(pgid!);
    expect(running.some((member) => /\bjava\b/.test(member.command))).toBe(true);

    await emulators.stop();
    expect(groupMembers(pgid!)).toEqual([]);
    for (const { pid } of running) expect(() => process.kill(pid, 0)).toThrow();
    expect(await answers(emulators.hosts.pubsub)).toBe(false);
    // stopping twice is harmless
    await emulators.stop();
  });
});

describe('a missing emulator', () => {
  let savedRoot: string | undefined;
  let emptyRoot: string | undefined;
  afterEach(() => {
    if (savedRoot === undefined) delete process.env.CLOUDSDK_ROOT_DIR;
    else process.env.CLOUDSDK_ROOT_DIR = savedRoot;
    if (emptyRoot) rmSync(emptyRoot, { recursive: true, force: true });
  });

  it.each<[EmulatorName, string]>([
    ['pubsub', 'google-cloud-cli-pubsub-emulator'],
    ['firestore', 'google-cloud-cli-firestore-emulator'],
  ])('%s: says which Debian package to install, and starts nothing', async (name, debianPackage) => {
    savedRoot = process.env.CLOUDSDK_ROOT_DIR;
    emptyRoot = mkdtempSync(join(tmpdir(), 'shotclock-empty-sdk-'));
    process.env.CLOUDSDK_ROOT_DIR = emptyRoot;
    const before = childrenOfThisProcess();
    const started = startEmulators({ only: [name] });
    await expect(started).rejects.toThrow(EmulatorMissingError);
    await expect(started).rejects.toThrow(`apt-get install ${debianPackage} openjdk-17-jre-headless`);
    await expect(started).rejects.toThrow(`looked in ${emptyRoot}`);
    expect(childrenOfThisProcess()).toEqual(before);
  });
});

describe('cleanup when the process that started the emulators goes away', () => {
  let scriptDir: string | undefined;
  afterEach(() => {
    if (scriptDir) rmSync(scriptDir, { recursive: true, force: true });
  });

  /** A node process that starts the Pub/Sub emulator, reports its pids, then exits or waits to be signalled. */
  async function startHolder(mode: 'wait' | 'exit') {
    scriptDir = mkdtempSync(join(tmpdir(), 'shotclock-emulator-holder-'));
    const script = join(scriptDir, 'holder.mjs');
    writeFileSync(
      script,
      [
        `const { startEmulators } = await import(${JSON.stringify(join(ROOT, 'scripts/local/emulators.ts'))});`,
        "const emulators = await startEmulators({ only: ['pubsub'] });",
        "process.stdout.write(JSON.stringify({ pids: emulators.pids, host: emulators.hosts.pubsub }) + '\\n');",
        `if (${JSON.stringify(mode)} === 'exit') process.exit(0);`,
        'setInterval(() => {}, 1000);',
      ].join('\n'),
    );
    const holder = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      holder.once('exit', (code, signal) => done({ code, signal })),
    );
    const firstLine = await new Promise<string>((done, fail) => {
      const lines = createInterface({ input: holder.stdout! });
      lines.once('line', done);
      holder.once('exit', (code) => fail(new Error(`holder exited with ${code} before reporting`)));
    });
    const report = JSON.parse(firstLine) as { pids: number[]; host: string };
    for (const pid of report.pids) startedGroups.add(pid);
    return { holder, exited, ...report };
  }

  it('SIGINT (Ctrl-C) to the starting process takes the emulator and its Java child down', async () => {
    const { holder, exited, pids, host } = await startHolder('wait');
    const pgid = pids[0]!;
    expect(await answers(host)).toBe(true);
    expect(groupMembers(pgid).some((member) => /\bjava\b/.test(member.command))).toBe(true);

    holder.kill('SIGINT');
    expect(await exited).toEqual({ code: 130, signal: null });
    expect(
      await eventually(
        () => groupMembers(pgid),
        (left) => left.length === 0,
      ),
    ).toEqual([]);
    expect(await answers(host)).toBe(false);
  });

  it('a process that exits without calling stop leaves no emulator behind', async () => {
    const { exited, pids, host } = await startHolder('exit');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(
      await eventually(
        () => groupMembers(pids[0]!),
        (left) => left.length === 0,
      ),
    ).toEqual([]);
    expect(await answers(host)).toBe(false);
  });
});
