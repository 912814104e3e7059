import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
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
  stop(): Promise<void>;
}

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

function launcherPath(name: EmulatorName): string {
  const launcher = LAUNCHERS[name];
  const sdkRoot = process.env.CLOUDSDK_ROOT_DIR;
  const roots = sdkRoot ? [sdkRoot, ...SDK_ROOTS] : SDK_ROOTS;
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
    if (child.exitCode !== null) throw new Error(`${name} emulator exited with code ${child.exitCode}`);
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

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
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
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
}

export async function startEmulators(
  options: { only?: EmulatorName[]; logDir?: string; timeoutMs?: number } = {},
): Promise<RunningEmulators> {
  const names = options.only ?? (['pubsub', 'firestore'] as EmulatorName[]);
  const paths = names.map((name) => [name, launcherPath(name)] as const);
  hookProcessExit();
  const children: ChildProcess[] = [];
  const hosts = {} as Record<EmulatorName, string>;
  const env: Record<string, string> = {};
  try {
    await Promise.all(
      paths.map(async ([name, path]) => {
        const port = await freePort();
        const host = `127.0.0.1:${port}`;
        const log = options.logDir ? openSync(join(options.logDir, `${name}-emulator.log`), 'a') : 'ignore';
        const child = spawn(path, LAUNCHERS[name].args(port), {
          detached: true,
          stdio: ['ignore', log, log],
          env: { ...process.env, JAVA_TOOL_OPTIONS: '-Xmx512m' },
        });
        children.push(child);
        running.add(child);
        child.once('exit', () => running.delete(child));
        await waitUntilAnswering(host, child, name, options.timeoutMs ?? 60_000);
        hosts[name] = host;
        env[LAUNCHERS[name].envVar] = host;
      }),
    );
  } catch (error) {
    await Promise.all(children.map(stopGroup));
    throw error;
  }
  return {
    hosts,
    env,
    pids: children.map((child) => child.pid!),
    stop: async () => {
      await Promise.all(children.map(stopGroup));
    },
  };
}
