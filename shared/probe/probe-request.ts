import { randomUUID } from 'node:crypto';

/**
 * The probe protocol. A probe request is an ordinary HTTP POST to the
 * function's URL, shaped as a binary-mode CloudEvent carrying a Pub/Sub
 * message, so event functions receive it through their usual handler:
 * - the message attribute `shotclock_probe` (and the header
 *   `x-shotclock-probe`, for HTTP functions) holds the scope;
 * - the function answers 200 with a JSON `ProbeAnswer` instead of handling
 *   the message (functions-framework sends what the handler resolves with).
 * A probe that arrives through Pub/Sub by mistake is answered and acked.
 */
export const PROBE_ATTRIBUTE = 'shotclock_probe';
export const PROBE_HEADER = 'x-shotclock-probe';

/**
 * `modules`: build dependencies, check env, load lazy modules (no backend
 * traffic: what the bundle test asks). `full`: also touch every backend.
 */
export type ProbeScope = 'modules' | 'full';

export function probeScopeOf(value: unknown): ProbeScope | undefined {
  return value === 'modules' || value === 'full' ? value : undefined;
}

/** The scope of a probe CloudEvent, or undefined for every ordinary event. */
export function probeScopeOfEvent(event: { data?: unknown }): ProbeScope | undefined {
  const data = event.data as { message?: { attributes?: Record<string, unknown> } } | undefined;
  return probeScopeOf(data?.message?.attributes?.[PROBE_ATTRIBUTE]);
}

export function probeRequest(
  scope: ProbeScope,
  projectId = 'shotclock',
): { headers: Record<string, string>; body: string } {
  const id = `probe-${randomUUID()}`;
  return {
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      'ce-source': `//pubsub.googleapis.com/projects/${projectId}/topics/shotclock-probe`,
      'ce-id': id,
      [PROBE_HEADER]: scope,
    },
    body: JSON.stringify({
      message: {
        data: Buffer.from('{}').toString('base64'),
        attributes: { [PROBE_ATTRIBUTE]: scope },
        messageId: id,
      },
      subscription: `projects/${projectId}/subscriptions/shotclock-probe`,
    }),
  };
}
