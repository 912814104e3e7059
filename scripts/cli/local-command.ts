import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../../shared/adapters/clocks.js';
import { startLocalScheduler } from '../local/scheduler.js';
import { startLocalStack } from '../local/stack.js';
import { cliSettings } from './settings.js';

interface StackFile {
  pid: number;
  projectId: string;
  urls: Record<string, string>;
  env: Record<string, string>;
  dataDir: string;
}

function stackFile(dataDir: string): string {
  return resolve(dataDir, 'stack.json');
}

export function register(program: Command): void {
  const local = program
    .command('local')
    .description('The production topology on the Pub/Sub and Firestore emulators');
  local
    .command('up')
    .description(
      'Start emulators, topics, subscriptions, every function and the scheduler; Ctrl-C (or `local down`) stops them',
    )
    .option('--data <dir>', 'folder for DuckDB, exports and logs', '.shotclock/local')
    .action(async (options: { data: string }) => {
      const dataDir = resolve(options.data);
      if (existsSync(stackFile(dataDir))) {
        const running = JSON.parse(readFileSync(stackFile(dataDir), 'utf8')) as StackFile;
        try {
          process.kill(running.pid, 0);
          console.error(
            `a local stack is already running (pid ${running.pid}); stop it with: shotclock local down`,
          );
          process.exitCode = 1;
          return;
        } catch {
          // stale file from a stack that is gone
        }
      }
      const { config } = cliSettings();
      const stack = await startLocalStack({ config, clock: systemClock, dataDir });
      const scheduler = startLocalScheduler(stack.topology.schedulerJobs, stack.pipeline.bus, (job, at) =>
        console.log(`${at.toISOString()}  scheduler  ${job.id}`),
      );
      const env = { ...(stack.emulators?.env ?? {}), GOOGLE_CLOUD_PROJECT: stack.projectId };
      const state: StackFile = {
        pid: process.pid,
        projectId: stack.projectId,
        urls: stack.urls,
        env,
        dataDir,
      };
      writeFileSync(stackFile(dataDir), JSON.stringify(state, null, 2));
      console.log(`local stack up (project ${stack.projectId}); functions:`);
      for (const [name, url] of Object.entries(stack.urls)) console.log(`  ${name.padEnd(26)} ${url}`);
      console.log('environment for your own processes:');
      for (const [key, value] of Object.entries(env)) console.log(`  export ${key}=${value}`);
      console.log(`warehouse: ${resolve(dataDir, 'warehouse.duckdb')}   exports: ${resolve(dataDir, 'gcs')}`);
      // Push, in real time: deliver whatever is waiting, a few times a second.
      let delivering = true;
      const delivery = (async () => {
        while (delivering) {
          await stack.dispatcher.drain().catch((error: Error) => console.error(`delivery: ${error.message}`));
          await new Promise((resolveWait) => setTimeout(resolveWait, 250));
        }
      })();
      const shutdown = async () => {
        scheduler.stop();
        delivering = false;
        await delivery;
        await stack.stop();
        rmSync(stackFile(dataDir), { force: true });
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      await new Promise(() => {});
    });
  local
    .command('down')
    .description('Stop the stack `local up` started (its emulators and servers)')
    .option('--data <dir>', 'folder the stack was started with', '.shotclock/local')
    .action(async (options: { data: string }) => {
      const file = stackFile(resolve(options.data));
      if (!existsSync(file)) {
        console.log('no local stack is running');
        return;
      }
      const { pid } = JSON.parse(readFileSync(file, 'utf8')) as StackFile;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        rmSync(file, { force: true });
        console.log(`stack process ${pid} was already gone`);
        return;
      }
      for (let waited = 0; waited < 20_000; waited += 200) {
        try {
          process.kill(pid, 0);
        } catch {
          console.log(`stopped the local stack (pid ${pid})`);
          return;
        }
        await new Promise((resolveWait) => setTimeout(resolveWait, 200));
      }
      console.error(`stack process ${pid} did not stop within 20 s`);
      process.exitCode = 1;
    });
}
