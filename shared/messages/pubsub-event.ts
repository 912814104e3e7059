import { z } from 'zod';

/** The CloudEvent data Pub/Sub delivers (`google.cloud.pubsub.topic.v1.messagePublished`). */
export const PubSubEnvelope = z.object({
  message: z.object({
    data: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
    message_id: z.string().optional(),
    publishTime: z.string().optional(),
    publish_time: z.string().optional(),
  }),
  subscription: z.string().optional(),
});

export interface ReceivedMessage {
  messageId: string;
  /** Short topic name, from the CloudEvent source or the `topic` attribute. */
  topic: string | undefined;
  attributes: Record<string, string>;
  publishTime: string | undefined;
  /** Raw bytes of the message data. */
  data: Buffer;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Largest message data a function will parse; anything larger is refused, not truncated. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export interface CloudEventLike {
  id?: string;
  source?: string;
  data?: unknown;
}

export function receivedMessage(event: CloudEventLike): Decoded<ReceivedMessage> {
  const envelope = PubSubEnvelope.safeParse(event.data);
  if (!envelope.success) return { ok: false, reason: 'event is not a Pub/Sub message (no `message` object)' };
  const { message } = envelope.data;
  const attributes = message.attributes ?? {};
  const topicFromSource = event.source?.match(/\/topics\/([^/]+)$/)?.[1];
  return {
    ok: true,
    value: {
      messageId: message.messageId ?? message.message_id ?? event.id ?? 'unknown',
      topic: topicFromSource ?? attributes.topic,
      attributes,
      publishTime: message.publishTime ?? message.publish_time,
      data: Buffer.from(message.data ?? '', 'base64'),
    },
  };
}

/** base64 -> JSON -> schema, with a reason that names the field and what was wrong. */
export function decodeJson<S extends z.ZodType>(data: Buffer, schema: S): Decoded<z.output<S>> {
  if (data.length === 0) return { ok: false, reason: 'message data is empty' };
  if (data.length > MAX_MESSAGE_BYTES)
    return { ok: false, reason: `message data is ${data.length} bytes, over the ${MAX_MESSAGE_BYTES} limit` };
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `message data is not JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, reason: describeIssues(parsed.error) };
}

/** One line per problem: `path.to.field: what was wrong`. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.length ? issue.path.join('.') : '(message)'}: ${issue.message}`,
  );
}

export function describeIssues(error: z.ZodError): string {
  return issueLines(error).slice(0, 8).join('; ');
}
