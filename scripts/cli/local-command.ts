import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../../shared/adapters/clocks.js';
import { publishToLocalStack, stackTopics } from '../local/publish.js';
import { startLocalScheduler } from '../local/scheduler.js';
import { startLocalStack } from '../local/stack.js';
import {
  DEFAULT_LOCAL_DATA,
  describeStack,
  emulatorAnswers,
  findLocalStack,
  processAlive,
  removeStackRecord,
  type StackRecord,
  writeStackRecord,
} from '../local/stack-record.js';
import { cliSettings } from './settings.js';
import { UserError } from './user-error.js';

export function register(program: Command): void {
  const local = program
    .command('local')
    .description('The production topology on the Pub/Sub and Firestore emulators');
  local
    .command('up')
    .description(
      'Start emulators, topics, subscriptions, every function and the scheduler; Ctrl-C (or `local down`) stops them',
    )
    .option('--data <dir>', 'folder for DuckDB, exports and logs', DEFAULT_LOCAL_DATA)
    .action(async (options: { data: string }, command: Command) => {
      const dataDir = resolve(options.data);
      const found = findLocalStack(dataDir);
      if (found.state === 'running') {
        console.error(
          `a local stack is already running (pid ${found.record.pid}); stop it with: shotclock local down`,
        );
        process.exitCode = 1;
        return;
      }
      if (found.state === 'down') {
        const stopped = await stopOrphanedEmulators(found.record);
        if (stopped.length)
          console.log(
            `the last stack (pid ${found.record.pid}) died; stopped the emulators it left running (pids ${stopped.join(', ')})`,
          );
      }
      const { config, override } = cliSettings();
      const errorStacks = command.optsWithGlobals<{ debug?: boolean }>().debug === true;
      const stack = await startLocalStack({ config, clock: systemClock, dataDir, errorStacks });
      const scheduler = startLocalScheduler(stack.topology.schedulerJobs, stack.pipeline.bus, (job, at) =>
        console.log(`${at.toISOString()}  scheduler  ${job.id}`),
      );
      const env = { ...(stack.emulators?.env ?? {}), GOOGLE_CLOUD_PROJECT: stack.projectId };
      writeStackRecord({
        pid: process.pid,
        projectId: stack.projectId,
        urls: stack.urls,
        env,
        dataDir,
        emulatorPids: stack.emulators?.pids ?? [],
        override,
      });
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
        removeStackRecord(dataDir);
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      await new Promise(() => {});
    });
  local
    .command('down')
    .description('Stop the stack `local up` started (its emulators and servers)')
    .option('--data <dir>', 'folder the stack was started with', DEFAULT_LOCAL_DATA)
    .action(async (options: { data: string }) => {
      const dataDir = resolve(options.data);
      const found = findLocalStack(dataDir);
      if (found.state === 'none') {
        console.log('no local stack is running');
        return;
      }
      const { pid } = found.record;
      if (found.state === 'down') {
        const stopped = await stopOrphanedEmulators(found.record);
        removeStackRecord(dataDir);
        console.log(
          `stack process ${pid} was already gone` +
            (stopped.length ? `; stopped the emulators it left running (pids ${stopped.join(', ')})` : ''),
        );
        return;
      }
      process.kill(pid, 'SIGTERM');
      for (let waited = 0; waited < 20_000; waited += 200) {
        if (!processAlive(pid)) {
          console.log(`stopped the local stack (pid ${pid})`);
          return;
        }
        await new Promise((resolveWait) => setTimeout(resolveWait, 200));
      }
      console.error(`stack process ${pid} did not stop within 20 s`);
      process.exitCode = 1;
    });
  local
    .command('publish')
    .description(
      'Publish one message on a topic of the running local stack (as a processor would); prints its message id',
    )
    .argument('<topic>', 'a topic of the stack, e.g. nba-phase3-analytics-complete')
    .argument('<message>', 'the message data: JSON text, or a file holding JSON')
    .option('--attribute <key=value>', 'a message attribute (repeatable)', collect, [])
    .option('--data <dir>', 'folder the stack was started with', DEFAULT_LOCAL_DATA)
    .action(async (topic: string, message: string, options: { attribute: string[]; data: string }) => {
      const found = findLocalStack(resolve(options.data));
      if (found.state === 'none')
        throw new UserError(
          `no local stack is running (no ${found.file}): start one with shotclock local up`,
        );
      if (found.state === 'down')
        throw new UserError(
          `${describeStack(found.record)} is not running any more: start it again with shotclock local up`,
        );
      const topics = stackTopics(found.record);
      if (!topics.includes(topic))
        throw new UserError(`unknown topic ${topic}: the local stack has ${topics.join(', ')}`);
      const data = messageData(message);
      const attributes = attributesFrom(options.attribute);
      const id = await publishToLocalStack(found.record, { topic, data, attributes });
      console.log(`published message ${id} on ${topic} (local stack pid ${found.record.pid})`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** JSON text as given, or the JSON in the file it names. */
function messageData(argument: string): unknown {
  const looksLikeJson = /^\s*[[{"]/.test(argument);
  const fromFile = !looksLikeJson && existsSync(argument) && statSync(argument).isFile();
  const text = fromFile ? readFileSync(argument, 'utf8') : argument;
  try {
    return JSON.parse(text);
  } catch (error) {
    const why = (error as Error).message.split('\n')[0];
    if (fromFile) throw new UserError(`${argument}: the file is not valid JSON (${why})`);
    if (looksLikeJson) throw new UserError(`the message is not valid JSON (${why})`);
    throw new UserError(`${argument}: neither JSON nor a file`);
  }
}

function attributesFrom(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new UserError(`--attribute expects key=value, got ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/**
 * Emulators of a stack that died without `local down` keep running (they are in process groups of
 * their own). Stopped only while they still answer on the recorded ports, so a process group id
 * reused by something else since is left alone.
 */
async function stopOrphanedEmulators(record: StackRecord): Promise<number[]> {
  const hosts = Object.entries(record.env)
    .filter(([key]) => key.endsWith('_EMULATOR_HOST'))
    .map(([, host]) => host);
  const answering = (await Promise.all(hosts.map(emulatorAnswers))).some(Boolean);
  if (!answering) return [];
  const stopped: number[] = [];
  for (const pgid of record.emulatorPids) {
    try {
      process.kill(-pgid, 'SIGTERM');
      stopped.push(pgid);
    } catch {
      // that group is gone already
    }
  }
  for (let waited = 0; waited < 8000 && stopped.some(groupAlive); waited += 200) {
    if (waited === 3000) for (const pgid of stopped.filter(groupAlive)) process.kill(-pgid, 'SIGKILL');
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  return stopped;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
