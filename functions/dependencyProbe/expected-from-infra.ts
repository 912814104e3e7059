import type { Topology } from '../../infra/topology.js';
import type { ExpectedTopology } from '../../shared/probe/expected-topology.js';

/**
 * The probe's view of the infra topology: topics something publishes to,
 * declared subscriptions with their dead-letter topics, scheduler jobs, and
 * each function with its URL (when served or deployed).
 */
export function expectedFromInfra(topology: Topology, urls: Record<string, string> = {}): ExpectedTopology {
  const publishers = new Map<string, string[]>();
  const publishedBy = (topic: string, who: string) =>
    publishers.set(topic, [...(publishers.get(topic) ?? []), who]);
  for (const fn of topology.functions) for (const topic of fn.publishes) publishedBy(topic, fn.name);
  for (const job of topology.schedulerJobs) publishedBy(job.topic, `scheduler job ${job.id}`);
  const deadLetterTopics = new Set(
    topology.subscriptions.flatMap((subscription) => subscription.deadLetterTopic ?? []),
  );
  for (const topic of topology.topics)
    if (!publishers.has(topic) && !deadLetterTopics.has(topic))
      publishedBy(topic, "the pipeline's processors");
  for (const topic of deadLetterTopics) publishedBy(topic, 'Pub/Sub dead-lettering');
  const outside = new Set(topology.externallyConsumed);
  // The last dead-letter stop: something dead-letters into it and its own readers have nowhere further to go.
  const terminal = topology.subscriptions
    .filter((subscription) => !subscription.deadLetterTopic && deadLetterTopics.has(subscription.topic))
    .map((subscription) => subscription.topic);
  return {
    topics: [...publishers].map(([name, who]) => ({
      name,
      publishers: [...new Set(who)].sort(),
      ...(outside.has(name) ? { consumedOutside: true } : {}),
    })),
    terminalTopics: [...new Set(terminal)],
    subscriptions: topology.subscriptions.map((subscription) => ({
      name: subscription.name,
      topic: subscription.topic,
      ...(subscription.deadLetterTopic ? { deadLetterTopic: subscription.deadLetterTopic } : {}),
    })),
    jobs: topology.schedulerJobs.map((job) => ({ id: job.id, topic: job.topic })),
    functions: topology.functions.map((fn) => ({
      name: fn.name,
      ...(urls[fn.name] ? { url: urls[fn.name] } : {}),
      invokers: [topology.pushInvoker],
    })),
  };
}
