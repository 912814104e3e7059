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
    // a UTF-8 byte order mark is not content; some emitters write one
    json = JSON.parse(data.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, reason: `message data is not JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, reason: describeIssues(parsed.error, json) };
}

type Issue = z.core.$ZodIssue;
type Located = { path: PropertyKey[]; issue: Issue };

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) =>
      typeof value === 'object' && value !== null && Object.hasOwn(value, key)
        ? (value as Record<PropertyKey, unknown>)[key]
        : undefined,
    input,
  );
}

/** A required field that is absent (an enum reports that as a wrong value, so the input is looked at too). */
function isMissing({ path, issue }: Located, input: unknown): boolean {
  if (issue.code === 'invalid_type') return /received undefined$/.test(issue.message);
  return issue.code === 'invalid_value' && input !== undefined && valueAt(input, path) === undefined;
}

/**
 * A union (current or legacy message shape) reports only "Invalid input". Report
 * the shape the sender most likely meant instead: the branch with the fewest
 * missing fields, then the fewest problems, then the first.
 */
function closestBranch(issue: Issue, path: PropertyKey[], input: unknown): Issue[] | undefined {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return undefined;
  const score = (branch: Issue[]) =>
    [
      branch.filter((inner) => isMissing({ path: [...path, ...inner.path], issue: inner }, input)).length,
      branch.length,
    ] as const;
  return issue.errors.reduce((best, branch) => {
    const [bestMissing, bestCount] = score(best);
    const [missing, count] = score(branch);
    return missing < bestMissing || (missing === bestMissing && count < bestCount) ? branch : best;
  });
}

function flatten(issues: readonly Issue[], input: unknown, prefix: readonly PropertyKey[] = []): Located[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    const branch = closestBranch(issue, path, input);
    return branch ? flatten(branch, input, path) : [{ path, issue }];
  });
}

function describeMissing(issue: Issue): string {
  if (issue.code === 'invalid_type') return `missing (expected ${issue.expected})`;
  if (issue.code === 'invalid_value')
    return `missing (expected one of ${issue.values.map(String).join('|')})`;
  return issue.message;
}

/**
 * One line per problem: `path.to.field: what was wrong`; a missing field says
 * `missing`. Pass the parsed input so a missing enum field is told apart from a
 * wrong value.
 */
export function issueLines(error: z.ZodError, input?: unknown): string[] {
  return flatten(error.issues, input).map((located) => {
    const where = located.path.length ? located.path.map(String).join('.') : '(message)';
    return `${where}: ${isMissing(located, input) ? describeMissing(located.issue) : located.issue.message}`;
  });
}

export function describeIssues(error: z.ZodError, input?: unknown): string {
  return issueLines(error, input).slice(0, 8).join('; ');
}
