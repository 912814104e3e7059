import { DEFAULT_COLLECTIONS } from '../config/collections.js';
import type { AlertGroupState } from '../domain/alert-grouping.js';
import type { Alert, AlertSeverity } from '../messages/alert.js';

/**
 * What the alert sink keeps in Firestore: one document per condition and one
 * per pipeline date's group. Read by the alert monitor (open conditions) and
 * the status page; written only by `DedupAlertSink`.
 */
/** One document per alert key (a condition): open or resolved, its latest words, how often people heard of it. */
export const ALERTS_COLLECTION = DEFAULT_COLLECTIONS.alerts;
/** One document per pipeline date (and one for undated alerts): what people were told and when. */
export const ALERT_GROUPS_COLLECTION = DEFAULT_COLLECTIONS.alert_groups;
/** Condition and group documents are kept this long after they last changed (Firestore TTL on `expire_at`). */
export const ALERT_RETENTION_DAYS = 30;

export type AlertStatus = 'open' | 'resolved' | 'waiting';

/** What the sink keeps per alert key (`shotclock_alerts/{encoded key}`). */
export interface AlertRecord {
  key: string;
  rule: Alert['rule'];
  subject: string;
  game_date?: string;
  message: string;
  details?: Record<string, unknown>;
  severity: AlertSeverity;
  status_url: string;
  /** `waiting`: raised only by non-final attempts of a retried operation; nobody told yet */
  status: AlertStatus;
  /** the group document id (the pipeline date, or `undated`) */
  group: string;
  first_raised_at: string;
  last_raised_at: string;
  /** evaluations that found the condition holding since it opened (not notices) */
  raise_count: number;
  /** notices that listed this condition since it opened */
  notice_count: number;
  retry?: Alert['retry'] | null;
  resolved_at?: string | null;
  resolution_message?: string | null;
  expire_at: string;
}

/** What the sink keeps per pipeline date (`shotclock_alert_groups/{date | undated}`). */
export interface AlertGroupRecord extends AlertGroupState {
  group: string;
  key: string;
  game_date?: string;
  status: 'open' | 'resolved';
  status_url: string;
  opened_at: string;
  /** notices sent for the group over its life (opened, updated, reminder, resolved) */
  notices_sent: number;
  /** notices of the current episode (since the group last opened) */
  episode_notices: number;
  last_notice_at?: string | null;
  last_notice_kind?: string | null;
  resolved_at?: string | null;
  /** per condition id: notices that listed it in the current episode */
  listed: Record<string, number>;
  expire_at: string;
}

/** Firestore ids cannot hold `/`; keys are encoded so any subject is safe. */
export function alertDocumentId(key: string): string {
  return encodeURIComponent(key).replace(/\./g, '%2E');
}

export const groupIdFor = (gameDate: string | undefined) => gameDate ?? 'undated';
export const groupKeyFor = (groupId: string) => `alerts:${groupId}`;
