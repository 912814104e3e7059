import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { FunctionDescriptor } from '../shared/probe/function-descriptor.js';
import { FUNCTIONS_DIR } from './build.js';
import { freePort } from './local/emulators.js';

/**
 * A bundle on its own, the way Cloud Functions runs it: copied out of the
 * repository (so nothing resolves from the repo's node_modules), with only
 * the dependencies its package.json declares installed. Installs are shared
 * between bundles that declare the same set.
 */
const run = promisify(execFile);
const MAX_PARALLEL_INSTALLS = 2;

export interface StagedBundle {
  name: string;
  dir: string;
  dependencies: Record<string, string>;
}

export class BundleStaging {
  private readonly installs = new Map<string, Promise<string>>();
  /** npm installs at a time: the machine is shared, and the cache serves most of each */
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  async stage(name: string, builtDir: string): Promise<StagedBundle> {
    const dir = join(this.root, 'functions', name);
    cpSync(builtDir, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const dependencies = manifest.dependencies ?? {};
    symlinkSync(await this.install(dependencies), join(dir, 'node_modules'), 'dir');
    return { name, dir, dependencies };
  }

  private async oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= MAX_PARALLEL_INSTALLS)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }

  /** `npm install` of exactly these packages, once per distinct set; resolves to its node_modules. */
  private install(dependencies: Record<string, string>): Promise<string> {
    const key = createHash('sha256')
      .update(JSON.stringify(Object.entries(dependencies).sort()))
      .digest('hex');
    let installed = this.installs.get(key);
    if (!installed) {
      const dir = join(this.root, 'installs', key.slice(0, 12));
      installed = this.oneAtATime(async () => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(
          join(dir, 'package.json'),
          JSON.stringify({ name: 'bundle-deps', private: true, type: 'module', dependencies }),
        );
        await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
          cwd: dir,
          maxBuffer: 16 * 1024 * 1024,
        });
        return join(dir, 'node_modules');
      });
      this.installs.set(key, installed);
    }
    return installed;
  }
}

export interface ModuleFailure {
  module: string;
  error: string;
}

/**
 * Forces every lazy path: loads each module from the bundle's own folder in a
 * fresh Node process, the way the bundle's `import()` would at run time.
 */
export async function loadModulesFrom(dir: string, modules: readonly string[]): Promise<ModuleFailure[]> {
  if (modules.length === 0) return [];
  const script = join(dir, '.shotclock-load-modules.mjs');
  writeFileSync(
    script,
    [
      'const failures = [];',
      `for (const name of ${JSON.stringify(modules)}) {`,
      '  try { await import(name); }',
      "  catch (error) { failures.push({ module: name, error: String(error.message).split('\\n')[0] }); }",
      '}',
      'process.stdout.write(JSON.stringify(failures));',
    ].join('\n'),
  );
  const { stdout } = await run(process.execPath, [script], { cwd: dir, env: bareEnv() });
  return JSON.parse(stdout) as ModuleFailure[];
}

export class MissingDependencyError extends Error {
  override readonly name = 'MissingDependencyError';
  constructor(
    readonly functionName: string,
    readonly failures: ModuleFailure[],
  ) {
    super(
      failures
        .map(
          (failure) =>
            `${functionName}: cannot load ${failure.module} on a lazy path; declare it in the bundle's ` +
            `dependencies (import it with a literal specifier so the build sees it) (${failure.error})`,
        )
        .join('\n'),
    );
  }
}

/** The build-time dependency check of one bundle: throws naming the function and every module it cannot load. */
export async function checkBundleDependencies(
  bundle: StagedBundle,
  lazyModules: readonly string[],
): Promise<void> {
  const failures = await loadModulesFrom(bundle.dir, [...new Set(lazyModules)].sort());
  if (failures.length > 0) throw new MissingDependencyError(bundle.name, failures);
}

/** What the function declares about itself, or the default: one HTTP target named like its folder. */
export async function descriptorOf(name: string, functionsDir = FUNCTIONS_DIR): Promise<FunctionDescriptor> {
  const file = join(functionsDir, name, 'descriptor.ts');
  if (!existsSync(file)) return { name };
  const module = (await import(file)) as { descriptor?: FunctionDescriptor };
  return module.descriptor ?? { name };
}

export interface ServedFunction {
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Only what a deployed function would see: no developer env leaks into the check. */
function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // METADATA_SERVER_DETECTION: the Google clients would otherwise look for a GCE metadata server off-host.
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    METADATA_SERVER_DETECTION: 'none',
    ...extra,
  };
}

const LOOPBACK_ONLY = `import net from 'node:net';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};
`;

/** Serves one target of a staged bundle with its own functions-framework, on 127.0.0.1. */
export async function serveTarget(
  bundle: StagedBundle,
  target: string,
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<ServedFunction> {
  const port = await freePort();
  // functions-framework listens on every interface; tests and the local stack stay on loopback.
  const loopbackOnly = join(bundle.dir, '.shotclock-loopback-only.mjs');
  writeFileSync(loopbackOnly, LOOPBACK_ONLY);
  const child: ChildProcess = spawn(
    join(bundle.dir, 'node_modules', '.bin', 'functions-framework'),
    [`--target=${target}`, `--port=${port}`],
    {
      cwd: bundle.dir,
      env: bareEnv({ ...env, NODE_OPTIONS: `--import=${pathToFileURL(loopbackOnly).href}` }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}/`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${bundle.name} (${target}) exited ${child.exitCode}:\n${output}`);
    try {
      await fetch(url, { method: 'OPTIONS', signal: AbortSignal.timeout(500) });
      return { url, pid: child.pid!, output: () => output, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await stop();
  throw new Error(`${bundle.name} (${target}) did not listen on ${url} within ${timeoutMs} ms:\n${output}`);
}
