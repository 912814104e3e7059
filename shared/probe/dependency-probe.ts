import { alertKey } from '../messages/alert.js';
import type { AlertSink } from '../ports/alert-sink.port.js';
import type { BusTopology } from '../ports/bus.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { ExpectedTopology } from './expected-topology.js';
import { overallStatus, ProbeAnswer, type ProbeCheck, timedCheck } from './probe-answer.js';
import { type ProbeScope, probeRequest } from './probe-request.js';
import type { SchedulerJobs } from './scheduler-jobs.port.js';

/** A deployed (or locally served) function and the URL its probe requests go to. */
export interface ProbeTarget {
  function: string;
  url: string;
}

export interface DependencyProbeDependencies {
  topology: BusTopology;
  scheduler: SchedulerJobs;
  clock: Clock;
  /** red checks are raised here; omitted, the report alone tells */
  alerts?: AlertSink;
  projectId?: string;
  /** headers that let the probe call a function (an ID token in production); none locally */
  authorize?: (url: string) => Promise<Record<string, string>>;
}

export interface ProbeReport {
  started_at: string;
  finished_at: string;
  duration_ms: number;
  status: 'green' | 'red';
  checks: ProbeCheck[];
}

export interface ProbeOptions {
  scope?: ProbeScope;
  /** per function request */
  timeoutMs?: number;
  /** a local stack: the pipeline's own processors are not running, so their subscriptions are not there */
  local?: boolean;
}

/**
 * The whole probe: asks every function to probe itself, then checks the
 * topology around them. Every check runs even when others fail, so one report
 * lists everything that is broken.
 */
export async function runDependencyProbe(
  deps: DependencyProbeDependencies,
  expected: ExpectedTopology,
  targets: readonly ProbeTarget[],
  options: ProbeOptions = {},
): Promise<ProbeReport> {
  const startedAt = deps.clock.now();
  const started = performance.now();
  const groups = await Promise.all([
    ...targets.map((target) => probeFunction(target, options, deps)),
    ...expected.functions
      .filter((fn) => !targets.some((target) => target.function === fn.name))
      .map(async (fn) => [skipped(`function:${fn.name}`, 'no URL to probe it at')]),
    ...expected.topics.map((topic) => topicChecks(deps.topology, topic, options)),
    subscriptionChecks(deps.topology, expected),
    ...expected.jobs.map((job) => jobChecks(deps, job)),
    ...expected.functions
      .filter((fn) => fn.invokers?.length)
      .map(async (fn) => [skipped(`invokers:${fn.name}`, 'IAM bindings are not read by this probe yet')]),
  ]);
  const checks = groups.flat();
  const report: ProbeReport = {
    started_at: startedAt.toISOString(),
    finished_at: deps.clock.now().toISOString(),
    duration_ms: Math.round(performance.now() - started),
    status: overallStatus(checks),
    checks,
  };
  if (deps.alerts) await judgeChecks(deps.alerts, report);
  return report;
}

function skipped(check: string, detail: string): ProbeCheck {
  return { check, status: 'skipped', latency_ms: 0, detail };
}

async function probeFunction(target: ProbeTarget, options: ProbeOptions, deps: DependencyProbeDependencies) {
  let answer: ProbeAnswer | undefined;
  const reached = await timedCheck(`function:${target.function}`, async () => {
    const request = probeRequest(options.scope ?? 'full', deps.projectId);
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { ...request.headers, ...(await deps.authorize?.(target.url)) },
      body: request.body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
    });
    const text = await response.text();
    // 5xx: the instance failed (a module that does not load, a crash). A 4xx from an HTTP function that
    // does not implement the probe still proves it started and ran its handler.
    if (response.status >= 500) throw new Error(`answered HTTP ${response.status}: ${text.slice(0, 300)}`);
    const parsed = ProbeAnswer.safeParse(safeJson(text));
    if (!parsed.success) return `answered HTTP ${response.status} without a probe answer`;
    answer = parsed.data;
    // The function is up and answering; its own red checks follow, one alert each.
    const red = answer.checks.filter((check) => check.status === 'red').length;
    return `answered: ${answer.checks.length - red} of ${answer.checks.length} checks green`;
  });
  const inner = (answer?.checks ?? []).map((check) => ({
    ...check,
    check: `function:${target.function}/${check.check}`,
  }));
  return [reached, ...inner];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function topicChecks(
  topology: BusTopology,
  topic: ExpectedTopology['topics'][number],
  options: ProbeOptions,
) {
  const exists = await timedCheck(`topic:${topic.name}`, async () => {
    if (!(await topology.topicExists(topic.name))) throw new Error('topic does not exist');
    return 'exists';
  });
  if (exists.status !== 'green') return [exists, skipped(`subscribed:${topic.name}`, 'topic does not exist')];
  if (options.local && topic.consumedOutside)
    return [
      exists,
      skipped(`subscribed:${topic.name}`, "read by the pipeline's own processors, not run locally"),
    ];
  const subscribed = await timedCheck(`subscribed:${topic.name}`, async () => {
    const subscriptions = await topology.subscriptionsOf(topic.name);
    if (subscriptions.length === 0)
      throw new Error(
        `nothing subscribes: messages from ${topic.publishers.join(', ') || 'its publishers'} go nowhere`,
      );
    return subscriptions.join(', ');
  });
  return [exists, subscribed];
}

/** Every subscription on a published-to topic, and every declared one, has a dead-letter topic that exists. */
async function subscriptionChecks(topology: BusTopology, expected: ExpectedTopology): Promise<ProbeCheck[]> {
  const declared = new Map(expected.subscriptions.map((subscription) => [subscription.name, subscription]));
  /** subscription -> its topic */
  const found = new Map<string, string>();
  const terminal = new Set(expected.terminalTopics ?? []);
  const checks: ProbeCheck[] = [];
  const topics = new Set([
    ...expected.topics.map((topic) => topic.name),
    ...expected.subscriptions.map((subscription) => subscription.topic),
  ]);
  await Promise.all(
    [...topics].map(async (topic) => {
      if (!(await topology.topicExists(topic).catch(() => false))) return;
      for (const name of await topology.subscriptionsOf(topic).catch(() => [])) found.set(name, topic);
    }),
  );
  for (const subscription of expected.subscriptions)
    checks.push(
      await timedCheck(`subscription:${subscription.name}`, async () => {
        if (!found.has(subscription.name)) throw new Error(`not attached to ${subscription.topic}`);
        return `on ${subscription.topic}`;
      }),
    );
  const deadLetterChecks = await Promise.all(
    [...found.keys()].sort().map((name) =>
      timedCheck(`dead-letter:${name}`, async () => {
        if (terminal.has(found.get(name)!))
          return { status: 'skipped' as const, detail: `on the terminal topic ${found.get(name)}` };
        const deadLetter = await topology.deadLetterTopicOf(name);
        if (!deadLetter) throw new Error('no dead-letter topic: a poison message is redelivered forever');
        const wanted = declared.get(name)?.deadLetterTopic;
        if (wanted && wanted !== deadLetter)
          throw new Error(`dead-letters to ${deadLetter}, expected ${wanted}`);
        if (!(await topology.topicExists(deadLetter)))
          throw new Error(`dead-letter topic ${deadLetter} does not exist`);
        return deadLetter;
      }),
    ),
  );
  return [...checks, ...deadLetterChecks];
}

async function jobChecks(deps: DependencyProbeDependencies, job: ExpectedTopology['jobs'][number]) {
  return [
    await timedCheck(`job:${job.id}`, async () => {
      const deployed = await deps.scheduler.job(job.id);
      if (!deployed) throw new Error('scheduler job does not exist');
      if (!deployed.enabled) throw new Error('scheduler job is paused');
      if (deployed.topic !== job.topic)
        throw new Error(`targets ${deployed.topic ?? 'nothing'}, expected topic ${job.topic}`);
      if (!(await deps.topology.topicExists(job.topic)))
        throw new Error(`target topic ${job.topic} does not exist`);
      return `enabled, publishes to ${job.topic}`;
    }),
  ];
}

/** A red check raises `probe_red`; a green one resolves it (the sink reads once and stops when nothing is open). */
async function judgeChecks(alerts: AlertSink, report: ProbeReport): Promise<void> {
  for (const check of report.checks.filter((candidate) => candidate.status === 'green'))
    await alerts.resolve({
      key: alertKey('probe_red', check.check),
      message: `dependency probe: ${check.check} is green again`,
      resolved_at: report.finished_at,
    });
  for (const check of report.checks.filter((candidate) => candidate.status === 'red'))
    await alerts.raise({
      key: alertKey('probe_red', check.check),
      rule: 'probe_red',
      severity: check.check.startsWith('function:') ? 'CRITICAL' : 'ERROR',
      subject: check.check,
      message: `dependency probe: ${check.check} is red: ${check.detail}`,
      details: { check: check.check, latency_ms: check.latency_ms },
      raised_at: report.finished_at,
    });
}

/** A few lines for a person: the verdict, then each red check. */
export function summarizeProbe(report: ProbeReport): string {
  const red = report.checks.filter((check) => check.status === 'red');
  const skippedCount = report.checks.filter((check) => check.status === 'skipped').length;
  const head =
    `dependency probe ${report.status.toUpperCase()}: ${report.checks.length - red.length - skippedCount} green, ` +
    `${red.length} red, ${skippedCount} skipped in ${report.duration_ms} ms`;
  return [head, ...red.map((check) => `  RED ${check.check}: ${check.detail}`)].join('\n');
}
