import { PubSub } from '@google-cloud/pubsub';
import { PubSubBus } from '../../adapters/pubsub.bus.js';
import type { Settings } from '../../config/env.js';

export function pubsubBus(settings: Settings): PubSubBus {
  return new PubSubBus(new PubSub({ projectId: settings.projectId }));
}
