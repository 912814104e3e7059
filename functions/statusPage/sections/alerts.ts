/**
 * Alerts: conditions open now in `shotclock_alerts` (each clears when its
 * rule says so, so this is not every alert ever) and notices not yet taken
 * by every destination: the alert monitor's pending entries in the outbox.
 */
import { ALERT_DELIVERY_OWNER } from '../../../shared/adapters/alert-delivery.js';
import { ALERTS_COLLECTION, type AlertRecord } from '../../../shared/adapters/dedup.alert-sink.js';
import { destinationOf, OUTBOX, type OutboxEntry } from '../../../shared/runtime/outbox.js';
import type { StateDocument } from '../../../shared/ports/state-store.port.js';
import type { StatusReadDependencies } from '../read-status.js';
import { attempt, count, list, record, text } from './fields.js';

export interface OpenAlertView {
  key: string;
  rule: string;
  severity: string;
  status: string;
  subject: string;
  game_date: string | null;
  message: string;
  first_raised_at: string | null;
  last_raised_at: string | null;
  /** notices that listed it since it opened (not evaluations: the tick checks it every 5 minutes) */
  notice_count: number;
}

/** A condition that cleared lately: what people were told it was, and how it ended. */
export interface ResolvedAlertView {
  key: string;
  rule: string;
  severity: string;
  subject: string;
  game_date: string | null;
  /** what it was about when it was open */
  message: string;
  /** what cleared it */
  resolution: string | null;
  first_raised_at: string | null;
  resolved_at: string;
  /** notices that listed it while it was open (0: it cleared inside the group wait, nobody was told) */
  notice_count: number;
}

/** How far back the status page lists resolved conditions. */
export const RECENTLY_RESOLVED_HOURS = 24;

export interface PendingDeliveryView {
  id: string;
  /** the notice's group (`alerts:<date>`) */
  alert_key: string;
  /** the destination that has not taken it yet */
  channel: string;
  notice: string;
  attempts: number;
  created_at: string | null;
  last_error: string | null;
}

/** What open and resolved conditions show alike. */
function conditionView(alert: Partial<AlertRecord>) {
  return {
    key: text(alert.key) ?? '(no key)',
    rule: text(alert.rule) ?? '(no rule)',
    severity: text(alert.severity) ?? 'ERROR',
    subject: text(alert.subject) ?? '',
    game_date: text(alert.game_date),
    message: text(alert.message) ?? '',
    first_raised_at: text(alert.first_raised_at),
    notice_count: count(alert.notice_count) ?? 0,
  };
}

function openAlertView(document: StateDocument): OpenAlertView {
  const alert = document as Partial<AlertRecord>;
  return {
    ...conditionView(alert),
    status: text(alert.status) ?? 'open',
    last_raised_at: text(alert.last_raised_at),
  };
}

function pendingDeliveryView(id: string, document: StateDocument): PendingDeliveryView {
  const entry = document as Partial<OutboxEntry>;
  const actions = list(entry.actions) as OutboxEntry['actions'];
  const progress = record(entry.progress);
  const waiting = actions.findIndex((_, index) => text(record(progress[index]).state) !== 'sent');
  const about = record(entry.about);
  const action = actions[waiting];
  return {
    id,
    alert_key: text(about.key) ?? '(no group)',
    channel: action ? destinationOf(action) : '(no destination)',
    notice: text(about.label) ?? 'raised',
    attempts: count(entry.attempts) ?? 0,
    created_at: text(entry.created_at),
    last_error: text(record(progress[waiting]).detail) ?? text(entry.last_error),
  };
}

const SEVERITY_ORDER: Record<string, number> = { CRITICAL: 0, ERROR: 1, WARNING: 2, INFO: 3 };

export async function readOpenAlerts(
  deps: StatusReadDependencies,
  problems: string[],
): Promise<OpenAlertView[]> {
  const documents = await attempt(
    problems,
    'open alerts',
    () => deps.state.list(ALERTS_COLLECTION, [{ field: 'status', op: '==', value: 'open' }]),
    [],
  );
  return documents
    .map((document) => openAlertView(document.data))
    .sort(
      (a, b) =>
        (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) ||
        (b.last_raised_at ?? '').localeCompare(a.last_raised_at ?? '') ||
        a.key.localeCompare(b.key),
    );
}

export async function readRecentlyResolved(
  deps: StatusReadDependencies,
  problems: string[],
): Promise<ResolvedAlertView[]> {
  const since = new Date(deps.clock.now().getTime() - RECENTLY_RESOLVED_HOURS * 3_600_000).toISOString();
  const documents = await attempt(
    problems,
    'recently resolved alerts',
    () => deps.state.list(ALERTS_COLLECTION, [{ field: 'status', op: '==', value: 'resolved' }]),
    [],
  );
  return documents
    .flatMap((document): ResolvedAlertView[] => {
      const alert = document.data as Partial<AlertRecord>;
      const resolvedAt = text(alert.resolved_at);
      if (!resolvedAt || resolvedAt < since) return [];
      return [
        { ...conditionView(alert), resolution: text(alert.resolution_message), resolved_at: resolvedAt },
      ];
    })
    .sort((a, b) => b.resolved_at.localeCompare(a.resolved_at) || a.key.localeCompare(b.key));
}

export async function readPendingDeliveries(
  deps: StatusReadDependencies,
  problems: string[],
): Promise<PendingDeliveryView[]> {
  const documents = await attempt(
    problems,
    'pending alert deliveries',
    () =>
      deps.state.list(OUTBOX, [
        { field: 'state', op: '==', value: 'pending' },
        { field: 'owner', op: '==', value: ALERT_DELIVERY_OWNER },
      ]),
    [],
  );
  return documents
    .map((document) => pendingDeliveryView(document.id, document.data))
    .sort((a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? ''));
}
