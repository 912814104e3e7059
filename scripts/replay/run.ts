import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Cron } from 'croner';
import { SimulatedClock } from '../../shared/adapters/clocks.js';
import type { EmulatorName } from '../local/emulators.js';
import { FaultPlan } from '../local/instruments.js';
import { type LocalStack, startLocalStack } from '../local/stack.js';
import { buildReport, busiestGameDate, type ReplayReport } from './report.js';
import type { LoadedScenario, ScenarioEvent } from './scenario.js';

export interface ReplayOptions {
  /** DuckDB file, exports folder, function logs, status snapshot */
  dataDir: string;
  emulatorHosts?: Record<EmulatorName, string>;
  projectId?: string;
  /** print the stack trace of each function failure (`--debug`); otherwise one line each */
  errorStacks?: boolean;
  /** called as simulated time moves: (done, total, now) */
  onProgress?: (done: number, total: number, now: Date) => void;
  /** writes the status page for the replayed day into dataDir (when the status page is built) */
  statusSnapshot?: (
    stack: LocalStack,
    gameDate: string,
    dir: string,
  ) => Promise<{ html: string; json: string }>;
}

interface TimelinePoint {
  at: number;
  events: ScenarioEvent[];
  jobs: Array<{ id: string; body: Record<string, unknown> }>;
}

/** Scheduler job fire times inside [start, end], honouring each job's time zone (croner handles DST). */
function jobFires(
  loaded: LoadedScenario,
  stack: LocalStack,
): Array<{ at: number; id: string; body: Record<string, unknown> }> {
  const start = new Date(loaded.scenario.start);
  const end = new Date(loaded.scenario.end);
  const fires: Array<{ at: number; id: string; body: Record<string, unknown> }> = [];
  for (const job of stack.topology.schedulerJobs) {
    const cron = new Cron(job.cron, { timezone: job.timeZone, paused: true });
    let next = cron.nextRun(new Date(start.getTime() - 1000));
    while (next && next <= end) {
      fires.push({
        at: next.getTime(),
        id: job.id,
        body: { ...job.body, scheduled_for: next.toISOString() },
      });
      next = cron.nextRun(next);
    }
  }
  return fires;
}

function buildTimeline(loaded: LoadedScenario, stack: LocalStack): TimelinePoint[] {
  const points = new Map<number, TimelinePoint>();
  const point = (at: number) => {
    const found = points.get(at) ?? { at, events: [], jobs: [] };
    points.set(at, found);
    return found;
  };
  for (const event of loaded.scenario.events) point(Date.parse(event.at)).events.push(event);
  for (const fire of jobFires(loaded, stack)) point(fire.at).jobs.push({ id: fire.id, body: fire.body });
  return [...points.values()].sort((a, b) => a.at - b.at);
}

async function applyEvent(stack: LocalStack, event: ScenarioEvent, now: Date): Promise<void> {
  if (event.publish)
    await stack.pipeline.bus.publish({
      topic: event.publish.topic,
      data: event.publish.data,
      ...(event.publish.attributes ? { attributes: event.publish.attributes } : {}),
    });
  if (event.insert) await stack.pipeline.warehouse.insert(event.insert.table, event.insert.rows);
  if (event.fault?.kind === 'publish-fails') stack.faults.failPublishes(event.fault.topic, event.fault.times);
  if (event.fault?.kind === 'function-crashes')
    stack.faults.crashFunction(event.fault.function, event.fault.times);
  if (event.fault?.kind === 'state-unavailable') stack.faults.stateOutage(now, event.fault.minutes);
}

async function snapshotState(stack: LocalStack): Promise<Record<string, Record<string, unknown>>> {
  const state: Record<string, Record<string, unknown>> = {};
  for (const collection of await stack.firestore.listCollections()) {
    const documents = await collection.get();
    state[collection.id] = Object.fromEntries(documents.docs.map((doc) => [doc.id, doc.data()]));
  }
  return state;
}

/**
 * Runs a scenario through the local stack on a simulated clock: events and
 * scheduler jobs fire in time order, messages flow through the emulators to
 * the real handlers, redeliveries wait out their backoff in simulated time.
 */
export async function runReplay(loaded: LoadedScenario, options: ReplayOptions): Promise<ReplayReport> {
  const wallStart = Date.now();
  const { scenario, config } = loaded;
  const clock = new SimulatedClock(scenario.start);
  // A replay starts from the scenario alone: nothing left from an earlier run of it.
  for (const leftover of ['warehouse.duckdb', 'warehouse.duckdb.wal', 'gcs', 'status', 'functions.log'])
    await rm(join(options.dataDir, leftover), { recursive: true, force: true });
  await mkdir(options.dataDir, { recursive: true });
  const stack = await startLocalStack({
    config,
    clock,
    dataDir: options.dataDir,
    faults: new FaultPlan(),
    // Nothing outside the stack writes the replay's warehouse or state (SHOTCLOCK_REMEMBER_READS=0 to compare).
    rememberReads: process.env.SHOTCLOCK_REMEMBER_READS !== '0',
    ...(options.errorStacks ? { errorStacks: true } : {}),
    ...(options.projectId ? { projectId: options.projectId } : {}),
    ...(options.emulatorHosts ? { emulatorHosts: options.emulatorHosts } : {}),
  });
  const stackStarted = Date.now();
  const { dispatcher } = stack;
  if (process.env.SHOTCLOCK_PULL_ALL !== '1') dispatcher.followPublishes(stack.recorder.published);
  try {
    for (const [table, rows] of Object.entries(scenario.warehouse))
      await stack.pipeline.warehouse.insert(table, rows);
    const timeline = buildTimeline(loaded, stack);
    const end = Date.parse(scenario.end);
    let index = 0;
    for (;;) {
      const nextPoint = timeline[index]?.at;
      const nextRedelivery = dispatcher.nextRedeliveryAt();
      const at = Math.min(nextPoint ?? Number.POSITIVE_INFINITY, nextRedelivery ?? Number.POSITIVE_INFINITY);
      if (!Number.isFinite(at) || at > end) break;
      clock.set(new Date(Math.max(at, clock.now().getTime())));
      if (nextPoint === at) {
        const point = timeline[index]!;
        index += 1;
        for (const event of point.events) await applyEvent(stack, event, clock.now());
        // What the scenario's events set off at this instant is handled before the scheduler's jobs
        // of the same instant fire. Side by side, a tick's reads raced the event's writes (a
        // completion at 02:05:00 and the 02:05 tick), and which won depended on the machine's speed.
        if (point.events.length && point.jobs.length) await dispatcher.drain();
        for (const job of point.jobs)
          await stack.pipeline.bus.publish({
            topic: config.topics.tick,
            data: job.body,
            attributes: { job: job.id },
          });
      }
      await dispatcher.drain();
      options.onProgress?.(index, timeline.length, clock.now());
    }
    const dayDone = Date.now();
    clock.set(new Date(Math.max(end, clock.now().getTime())));
    const statusDate =
      scenario.status_date ??
      busiestGameDate(stack.recorder.published, config.topics.tick) ??
      scenario.end.slice(0, 10);
    const statusPage = options.statusSnapshot
      ? await options.statusSnapshot(stack, statusDate, join(options.dataDir, 'status'))
      : undefined;
    const state = await snapshotState(stack);
    const seconds = (from: number, to: number) => Math.round(to - from) / 1000;
    const report = buildReport({
      scenario: scenario.name,
      start: scenario.start,
      end: scenario.end,
      wallSeconds: (Date.now() - wallStart) / 1000,
      wallSplit: {
        stack_start: seconds(wallStart, stackStarted),
        emulators: stack.emulators ? stack.emulators.startSeconds : null,
        day: seconds(stackStarted, dayDone),
        closing: seconds(dayDone, Date.now()),
      },
      published: stack.recorder.published,
      exports: stack.recorder.exports,
      calls: stack.recorder.calls,
      deliveries: dispatcher.outcomes,
      state,
      notes: scenario.events.flatMap((event) =>
        event.note ? [{ at: new Date(event.at).toISOString(), note: event.note }] : [],
      ),
      topics: {
        alerts: config.topics.alerts,
        gateDecisions: config.topics.gate_decisions,
        rerun: config.record_count.rerun_topic,
        deadLetter: config.topics.dead_letter,
        tick: config.topics.tick,
      },
    });
    return statusPage ? { ...report, status_page: statusPage } : report;
  } finally {
    await stack.stop();
  }
}

export async function writeReport(report: ReplayReport, path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
