import { PubSub } from '@google-cloud/pubsub';
import { PubSubBus } from '../../adapters/pubsub.bus.js';
import type { Settings } from '../../config/env.js';

export function pubsubBus(settings: Settings): PubSubBus {
  // The client's own retries end before the outbox's action timeout, well inside its lease.
  return new PubSubBus(new PubSub({ projectId: settings.projectId }), {
    publishTimeoutMs: settings.config.outbox.action_timeout_seconds * 1000,
  });
}
