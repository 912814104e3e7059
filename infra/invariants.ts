import type { DeployStep } from './plan.js';
import type { Topology } from './topology.js';

/**
 * What must hold for any config's topology. Each returns the problems found,
 * in words; an empty list means the invariant holds.
 */
export function topologyProblems(topology: Topology, steps: DeployStep[] = []): string[] {
  const problems: string[] = [];
  const topics = new Set(topology.topics);
  const subscribed = new Set(topology.subscriptions.map((subscription) => subscription.topic));
  const functionNames = new Set(topology.functions.map((fn) => fn.name));
  const terminal = topology.subscriptions.filter((subscription) => !subscription.deadLetterTopic);

  for (const fn of topology.functions) {
    for (const topic of fn.publishes)
      if (!topics.has(topic)) problems.push(`${fn.name} publishes to ${topic}, which is not declared`);
    for (const topic of fn.triggers)
      if (!topology.subscriptions.some((s) => s.topic === topic && s.pushTo === fn.name))
        problems.push(`${fn.name} is triggered by ${topic} but no subscription pushes it there`);
  }
  for (const subscription of topology.subscriptions) {
    if (!topics.has(subscription.topic))
      problems.push(`subscription ${subscription.name} reads ${subscription.topic}, which is not declared`);
    if (subscription.pushTo && !functionNames.has(subscription.pushTo))
      problems.push(
        `subscription ${subscription.name} pushes to ${subscription.pushTo}, which is not deployed`,
      );
    if (subscription.deadLetterTopic && !topics.has(subscription.deadLetterTopic))
      problems.push(
        `subscription ${subscription.name} dead-letters to ${subscription.deadLetterTopic}, not declared`,
      );
    if (subscription.deadLetterTopic === subscription.topic)
      problems.push(`subscription ${subscription.name} dead-letters into the topic it reads`);
  }
  // Only readers of the terminal dead-letter topic may go without one: there is nowhere further.
  const terminalTopics = new Set(terminal.map((subscription) => subscription.topic));
  if (terminalTopics.size > 1)
    problems.push(
      `subscriptions without a dead-letter topic read several topics: ${[...terminalTopics].join(', ')}`,
    );
  for (const subscription of terminal)
    if (topology.subscriptions.some((other) => other.deadLetterTopic === subscription.topic) === false)
      problems.push(`subscription ${subscription.name} has no dead-letter topic`);

  for (const job of topology.schedulerJobs) {
    if (!topics.has(job.topic))
      problems.push(`scheduler job ${job.id} targets ${job.topic}, which is not declared`);
    else if (!subscribed.has(job.topic))
      problems.push(`scheduler job ${job.id} targets ${job.topic}, which nobody reads`);
  }
  for (const topic of topology.topics)
    if (!subscribed.has(topic) && !topology.externallyConsumed.includes(topic))
      problems.push(`topic ${topic} has no subscription and is not consumed outside shotclock`);

  const accounts = new Set(topology.serviceAccounts.map((account) => account.id));
  if (accounts.size !== topology.functions.length) problems.push('functions share a service account');
  for (const account of topology.serviceAccounts)
    for (const role of account.projectRoles)
      if (/roles\/(owner|editor)$/.test(role)) problems.push(`${account.id} has the broad role ${role}`);

  for (const step of steps) {
    const command = step.create.join(' ');
    if (/allUsers|allAuthenticatedUsers/.test(command))
      problems.push(`${step.resource} is made public: ${command}`);
    if (step.resource.startsWith('function ') && !step.create.includes('--no-allow-unauthenticated'))
      problems.push(`${step.resource} is deployed without --no-allow-unauthenticated`);
    const environment = step.create.find((argument) => argument.startsWith('--set-env-vars=')) ?? '';
    if (/(WEBHOOK|SECRET|TOKEN|PASSWORD)[A-Z_]*=/i.test(environment))
      problems.push(`${step.resource} passes a secret as a literal environment value`);
  }
  return problems;
}
