import type { DownstreamAction, PipelineConfig } from '../config/schema.js';
import type { MessageAttributes } from '../ports/bus.port.js';
import type { OutboxAction } from './outbox.js';

/**
 * Turns a downstream's configured actions (`config.downstream.predictions`,
 * `.phase3_rerun`) into outbox actions: each HTTP action calls its service's
 * URL + path with `body` and an ID token for the service's audience; each
 * publish action sends `message` on the downstream's own topic.
 */
export function downstreamActions(
  config: Pick<PipelineConfig, 'downstream'>,
  configured: readonly DownstreamAction[],
  effect: { body: unknown; message: { topic: string; data: unknown; attributes?: MessageAttributes } },
): OutboxAction[] {
  return configured.map((action): OutboxAction => {
    if (action.kind === 'publish') return { kind: 'publish', ...effect.message };
    const service = config.downstream.services[action.service];
    // The config refuses an action naming an unknown service; this is for a config built by hand.
    if (!service) throw new Error(`downstream service "${action.service}" is not configured`);
    return {
      kind: 'http',
      target: action.service,
      method: action.method,
      url: `${service.url.replace(/\/+$/, '')}${action.path}`,
      body: effect.body,
      audience: service.audience ?? service.url,
      ...(action.done_statuses.length > 0 ? { done_statuses: action.done_statuses } : {}),
    };
  });
}
