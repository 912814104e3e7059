import { PubSubBus } from '../../adapters/pubsub.bus.js';
import type { Settings } from '../../config/env.js';

/** The Pub/Sub client is loaded when the bus is first built (the first event), not at import. */
export async function pubsubBus(settings: Settings): Promise<PubSubBus> {
  const { PubSub } = await import('../../adapters/google-clients/pubsub.client.js');
  // The client's own retries end before the outbox's action timeout, well inside its lease.
  return new PubSubBus(new PubSub({ projectId: settings.projectId }), {
    publishTimeoutMs: settings.config.outbox.action_timeout_seconds * 1000,
  });
}
