import type { PipelineConfig } from '../config/schema.js';

/**
 * The topology the probe holds the deployment to. `infra/` derives the real
 * one from the config; `topologyFromConfig` is the part the config alone
 * tells (topics published to, scheduler jobs), used until infra is wired in.
 */
export interface ExpectedTopology {
  /**
   * Topics something publishes to; `publishers` names who (functions or
   * outside processors). `consumedOutside`: read by the pipeline's own
   * processors, which a local stack does not run.
   */
  topics: Array<{ name: string; publishers: string[]; consumedOutside?: boolean }>;
  /** topics at the end of the line (the terminal dead-letter topic): their subscriptions need no dead-letter topic */
  terminalTopics?: string[];
  subscriptions: Array<{ name: string; topic: string; deadLetterTopic?: string }>;
  jobs: Array<{ id: string; topic: string }>;
  functions: Array<{ name: string; url?: string; invokers?: string[] }>;
}

export function topologyFromConfig(config: PipelineConfig): ExpectedTopology {
  const topics = new Map<string, Set<string>>();
  const publishedBy = (topic: string, publisher: string) => {
    const publishers = topics.get(topic) ?? new Set<string>();
    publishers.add(publisher);
    topics.set(topic, publishers);
  };
  for (const phase of config.phases) publishedBy(phase.completion_topic, `${phase.id} processors`);
  for (const transition of config.transitions)
    if (transition.output) publishedBy(transition.output.topic, `transition ${transition.id}`);
  publishedBy(config.record_count.rerun_topic, 'record count checker');
  publishedBy(config.freshness_gate.output_topic, 'freshness gate');
  publishedBy(config.topics.alerts, 'every function (alerts)');
  publishedBy(config.topics.dead_letter, 'every function (dead letters)');
  for (const job of config.schedules) publishedBy(job.topic, `scheduler job ${job.id}`);
  const consumedOutside = new Set([
    config.record_count.rerun_topic,
    config.freshness_gate.output_topic,
    config.topics.alerts,
    ...config.transitions
      .filter((transition) => transition.output?.shape === 'phase4_trigger')
      .map((transition) => transition.output!.topic),
  ]);
  return {
    topics: [...topics].map(([name, publishers]) => ({
      name,
      publishers: [...publishers].sort(),
      ...(consumedOutside.has(name) ? { consumedOutside: true } : {}),
    })),
    terminalTopics: [config.topics.dead_letter],
    subscriptions: [],
    jobs: config.schedules.map((job) => ({ id: job.id, topic: job.topic })),
    functions: [],
  };
}
