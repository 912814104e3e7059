import type { Logger } from '../logging/logger.js';
import type { Bus, MessageAttributes } from '../ports/bus.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { StateDocument, StateStore, StateTransaction } from '../ports/state-store.port.js';

/**
 * Messages that must go out because of a decision. The decision and its
 * outbox entries are written in one transaction; publishing happens after, and
 * only a successful publish marks the entry sent (and sets the latch fields,
 * e.g. `_triggered`). A publish that fails leaves the entry pending, and the
 * scheduler tick re-drives it. Entry ids are deterministic, so a duplicate
 * decision cannot queue a second copy.
 */
export const OUTBOX = 'shotclock_outbox';

export interface OutboxMessage {
  topic: string;
  data: unknown;
  attributes?: MessageAttributes;
}

export interface OutboxEntry {
  id: string;
  messages: OutboxMessage[];
  /** which messages already went out (a retry resumes after them) */
  sent_count: number;
  state: 'pending' | 'sent';
  created_at: string;
  attempts: number;
  last_error?: string;
  sent_at?: string;
  /** merged into this document once every message is out (`sent_at_field`, if named, gets the send time) */
  on_sent?: { path: string; fields: StateDocument; sent_at_field?: string };
  /** ISO time until which one driver holds the entry ('' when free) */
  lease_until?: string;
}

export function outboxId(...parts: string[]): string {
  return parts.join('__').replace(/[^A-Za-z0-9_.-]/g, '-');
}

/** Queues messages inside the caller's decision transaction. */
export function enqueue(
  tx: StateTransaction,
  clock: Clock,
  id: string,
  messages: OutboxMessage[],
  onSent?: OutboxEntry['on_sent'],
): void {
  const entry: OutboxEntry = {
    id,
    messages,
    sent_count: 0,
    state: 'pending',
    created_at: clock.now().toISOString(),
    attempts: 0,
    ...(onSent ? { on_sent: onSent } : {}),
  };
  tx.create(`${OUTBOX}/${id}`, entry as unknown as StateDocument);
}

export interface OutboxDependencies {
  state: StateStore;
  bus: Bus;
  clock: Clock;
  logger: Logger;
}

/** How long one driver holds an entry; a driver that died mid-publish frees it when this runs out. */
export const OUTBOX_LEASE_MS = 60_000;

/**
 * Takes the entry for this driver, so two drivers (the decision's own call and
 * a tick, or two ticks) never publish the same entry side by side. Returns the
 * entry when this driver may publish it.
 */
async function lease(deps: OutboxDependencies, path: string): Promise<OutboxEntry | undefined> {
  const now = deps.clock.now();
  return deps.state.transaction(async (tx) => {
    const entry = (await tx.get(path)) as unknown as OutboxEntry | undefined;
    if (!entry || entry.state === 'sent') return undefined;
    if (entry.lease_until && entry.lease_until > now.toISOString()) return undefined;
    tx.merge(path, { lease_until: new Date(now.getTime() + OUTBOX_LEASE_MS).toISOString() });
    return entry;
  });
}

/** Publishes one entry's remaining messages; true when the entry is now sent. */
export async function drive(deps: OutboxDependencies, id: string): Promise<boolean> {
  const path = `${OUTBOX}/${id}`;
  const entry = await lease(deps, path);
  if (!entry) return (await deps.state.get(path))?.state === 'sent';
  let sent = entry.sent_count;
  try {
    for (const message of entry.messages.slice(sent)) {
      await deps.bus.publish({
        topic: message.topic,
        data: message.data,
        attributes: { ...message.attributes, shotclock_outbox_id: id },
      });
      sent += 1;
    }
  } catch (error) {
    await deps.state.merge(path, {
      sent_count: sent,
      attempts: entry.attempts + 1,
      last_error: (error as Error).message,
      lease_until: '',
    });
    deps.logger.warning('publish failed, left pending for the next tick', {
      outbox_id: id,
      error: (error as Error).message,
    });
    return false;
  }
  const sentAt = deps.clock.now().toISOString();
  await deps.state.transaction(async (tx) => {
    tx.merge(path, {
      state: 'sent',
      sent_count: sent,
      sent_at: sentAt,
      attempts: entry.attempts + 1,
      lease_until: '',
    });
    if (entry.on_sent)
      tx.merge(entry.on_sent.path, {
        ...entry.on_sent.fields,
        ...(entry.on_sent.sent_at_field ? { [entry.on_sent.sent_at_field]: sentAt } : {}),
      });
  });
  return true;
}

/** Re-drives every pending entry (called from the scheduler tick). Returns how many went out. */
export async function drivePending(deps: OutboxDependencies): Promise<number> {
  const pending = await deps.state.list(OUTBOX, [{ field: 'state', op: '==', value: 'pending' }]);
  let delivered = 0;
  for (const entry of pending) if (await drive(deps, entry.id)) delivered += 1;
  return delivered;
}
