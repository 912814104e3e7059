import { PubSub } from '@google-cloud/pubsub';
import { buildTopology } from '../../infra/topology.js';
import { loadPipelineConfig } from '../../shared/config/load.js';
import { onEmulatorsOnly, type StackRecord } from './stack-record.js';

/** A message for the running local stack, as `shotclock local publish` was given it. */
export interface LocalMessage {
  topic: string;
  data: unknown;
  attributes: Record<string, string>;
}

/** The topics of the stack's topology (from the config it was started with), sorted. */
export function stackTopics(record: StackRecord): string[] {
  return [...buildTopology(loadPipelineConfig(record.override), record.projectId).topics].sort();
}

/**
 * Publishes one message on the stack's Pub/Sub emulator, the way the pipeline's processors do
 * (JSON bytes and string attributes); the stack's push delivery takes it to the subscribed
 * functions. Resolves to the emulator's message id.
 */
export async function publishToLocalStack(record: StackRecord, message: LocalMessage): Promise<string> {
  const host = record.env.PUBSUB_EMULATOR_HOST;
  if (!host) throw new Error(`the stack record of pid ${record.pid} names no Pub/Sub emulator`);
  onEmulatorsOnly();
  const pubsub = new PubSub({ projectId: record.projectId, apiEndpoint: host, emulatorMode: true });
  try {
    return await pubsub.topic(message.topic).publishMessage({
      data: Buffer.from(JSON.stringify(message.data)),
      attributes: message.attributes,
    });
  } finally {
    await pubsub.close();
  }
}
