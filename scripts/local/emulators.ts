import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Starts the real Pub/Sub and Firestore emulators on free loopback ports, and
 * stops exactly what it started: each emulator runs in its own process group,
 * so the Java child goes down with its launcher.
 */
export type EmulatorName = 'pubsub' | 'firestore';

export interface RunningEmulators {
  /** `127.0.0.1:<port>` per emulator */
  hosts: Record<EmulatorName, string>;
  /** PUBSUB_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST */
  env: Record<string, string>;
  pids: number[];
  /** wall-clock seconds from the first spawn until every emulator answered */
  startSeconds: number;
  /**
   * SIGTERM, SIGKILL after `graceMs` (3 s); resolves once no process of theirs is left. Their data
   * lives in memory only: 0 stops them at once (a JVM took 1.8 s to go on SIGTERM).
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/**
 * The emulators live for a test run or a replayed day, minutes, on a machine
 * of two cores shared with Node and DuckDB: the quick JIT tier only, one
 * compiler thread and the serial collector. Side by side (Firestore emulator,
 * 600 transactions from 4 writers, 3 rounds each): 6 s of emulator CPU
 * against 10–11 s with the JVM's defaults, and the work done sooner in 2 of 3.
 */
const EMULATOR_JVM_OPTIONS = '-Xmx512m -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC';

const SDK_ROOTS = ['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk'];

interface EmulatorLauncher {
  debianPackage: string;
  relativePath: string;
  args(port: number): string[];
  envVar: string;
}

const LAUNCHERS: Record<EmulatorName, EmulatorLauncher> = {
  pubsub: {
    debianPackage: 'google-cloud-cli-pubsub-emulator',
    relativePath: 'platform/pubsub-emulator/bin/cloud-pubsub-emulator',
    args: (port) => [`--host=127.0.0.1`, `--port=${port}`],
    envVar: 'PUBSUB_EMULATOR_HOST',
  },
  firestore: {
    debianPackage: 'google-cloud-cli-firestore-emulator',
    relativePath: 'platform/cloud-firestore-emulator/cloud_firestore_emulator',
    args: (port) => ['start', `--host=127.0.0.1`, `--port=${port}`],
    envVar: 'FIRESTORE_EMULATOR_HOST',
  },
};

export class EmulatorMissingError extends Error {
  override readonly name = 'EmulatorMissingError';
}

/** An explicit SDK root (option or CLOUDSDK_ROOT_DIR, as gcloud itself reads it) is the only place looked in. */
function launcherPath(name: EmulatorName, sdkRoot: string | undefined): string {
  const launcher = LAUNCHERS[name];
  const roots = sdkRoot ? [sdkRoot] : SDK_ROOTS;
  const found = roots.map((root) => join(root, launcher.relativePath)).find((path) => existsSync(path));
  if (!found)
    throw new EmulatorMissingError(
      `the ${name} emulator is not installed: apt-get install ${launcher.debianPackage} openjdk-17-jre-headless` +
        ` (looked in ${roots.join(', ')})`,
    );
  return found;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

async function waitUntilAnswering(host: string, child: ChildProcess, name: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(
        `${name} emulator exited with code ${child.exitCode} (it needs Java 17: apt-get install openjdk-17-jre-headless)`,
      );
    try {
      const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${name} emulator did not answer on ${host} within ${timeoutMs} ms`);
}

/** Sends `signal` to the whole process group; false when no process of the group is left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a process of the group still runs. A zombie does not count: the
 * Java child, orphaned when its launcher dies, waits up to a second or more
 * for init to reap it, holding no port and no memory. Read from /proc where
 * there is one; elsewhere any process of the group counts.
 */
function groupRuns(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return true;
  }
  return entries.some((pid) => {
    try {
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === pgid && state !== 'Z';
    } catch {
      return false; // gone meanwhile
    }
  });
}

/**
 * SIGTERM to the emulator's process group, SIGKILL after `graceMs`, and resolve only
 * once no process of the group is left: the launcher exiting is not enough, a
 * Java child may outlive it (or the launcher may already be gone while Java runs).
 */
async function stopGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => child.once('exit', resolve));
  if (!signalGroup(pgid, graceMs > 0 ? 'SIGTERM' : 'SIGKILL')) return;
  const killAt = Date.now() + graceMs;
  const giveUpAt = killAt + 5000;
  let killed = false;
  while (groupRuns(pgid) && Date.now() < giveUpAt) {
    if (!killed && Date.now() >= killAt) {
      signalGroup(pgid, 'SIGKILL');
      killed = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await exited;
}

const running = new Set<ChildProcess>();
let exitHooked = false;

/** Last resort: whatever the caller does, no emulator outlives this process. */
function hookProcessExit() {
  if (exitHooked) return;
  exitHooked = true;
  const killAll = () => {
    for (const child of running)
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
  };
  process.once('exit', killAll);
  const signalNumbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
  for (const [signal, number] of Object.entries(signalNumbers))
    process.once(signal, () => {
      killAll();
      process.exit(128 + number);
    });
}

export async function startEmulators(
  options: { only?: EmulatorName[]; logDir?: string; timeoutMs?: number; sdkRoot?: string } = {},
): Promise<RunningEmulators> {
  const started = Date.now();
  const names = options.only ?? (['pubsub', 'firestore'] as EmulatorName[]);
  const sdkRoot = options.sdkRoot ?? process.env.CLOUDSDK_ROOT_DIR;
  const paths = names.map((name) => [name, launcherPath(name, sdkRoot)] as const);
  hookProcessExit();
  const children: ChildProcess[] = [];
  const hosts = {} as Record<EmulatorName, string>;
  const env: Record<string, string> = {};
  try {
    await Promise.all(
      paths.map(async ([name, path]) => {
        // A free port can be taken between our check and the emulator's bind (the Firestore
        // emulator also opens a WebSocket port of its own first): an emulator that exits
        // at once is started again on another port.
        for (let attempt = 1; ; attempt += 1) {
          const port = await freePort();
          const host = `127.0.0.1:${port}`;
          const log = options.logDir ? openSync(join(options.logDir, `${name}-emulator.log`), 'a') : 'ignore';
          const child = spawn(path, LAUNCHERS[name].args(port), {
            detached: true,
            stdio: ['ignore', log, log],
            env: { ...process.env, JAVA_TOOL_OPTIONS: EMULATOR_JVM_OPTIONS },
          });
          children.push(child);
          running.add(child);
          child.once('exit', () => running.delete(child));
          try {
            await waitUntilAnswering(host, child, name, options.timeoutMs ?? 60_000);
          } catch (error) {
            if (child.exitCode === null || attempt >= 3) throw error;
            continue;
          }
          hosts[name] = host;
          env[LAUNCHERS[name].envVar] = host;
          return;
        }
      }),
    );
  } catch (error) {
    await Promise.all(children.map(stopGroup));
    throw error;
  }
  return {
    hosts,
    env,
    pids: children.filter((child) => child.exitCode === null).map((child) => child.pid!),
    startSeconds: (Date.now() - started) / 1000,
    stop: async (stopping = {}) => {
      await Promise.all(children.map((child) => stopGroup(child, stopping.graceMs)));
    },
  };
}
