import { DEFAULT_COLLECTIONS } from '../config/collections.js';
import { randomUUID } from 'node:crypto';
import type { OutboxPolicy, PipelineConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import { type Alert, type AlertSeverity, alertKey } from '../messages/alert.js';
import type { AlertSink } from '../ports/alert-sink.port.js';
import type { Bus, MessageAttributes } from '../ports/bus.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { HttpCaller, HttpMethod } from '../ports/http-call.port.js';
import type { StateDocument, StateStore, StateTransaction } from '../ports/state-store.port.js';

/**
 * Every outbound effect of a decision: Pub/Sub messages and HTTP calls to the
 * pipeline's services. The decision and its outbox entry are written in one
 * transaction; the actions go out after, in order, each marked sent on its
 * own, so a driver that stops after action k leaves the next driver to resume
 * at k. Each action carries a stable idempotency key (the `shotclock_outbox_id`
 * attribute, the `Idempotency-Key` header): a copy sent again because the
 * first one's outcome was unknown carries the same key, so a consumer that
 * deduplicates on it acts once.
 *
 * Before an action goes out it is marked `in_flight`; a driver that finds that
 * mark knows the earlier attempt's outcome is unknown (its driver died or lost
 * its lease), sends again and counts it in `resent_unknown`. Only a driver that
 * still holds the entry's lease may write a mark; each action's timeout is at
 * most half the lease (checked in the config), so a live driver always can.
 *
 * HTTP answers: 2xx (or a configured "already done" 4xx such as 409) is sent;
 * 408, 429, 5xx and no answer are retried with backoff on the owner's tick;
 * any other 4xx is final: the request itself is wrong, so it is not sent
 * again and one alert names the URL and the answer. An entry still pending
 * after `stuck_after_attempts` raises one alert naming its destination and
 * last error, resolved once it goes out; after `give_up_after_minutes` it is
 * abandoned.
 */
export const OUTBOX = DEFAULT_COLLECTIONS.outbox;
export const OUTBOX_KEY_ATTRIBUTE = 'shotclock_outbox_id';
export const OUTBOX_KEY_HEADER = 'Idempotency-Key';
/** Entries are kept two weeks, well past the longest retry (`give_up_after_minutes`). */
export const OUTBOX_RETENTION_DAYS = 14;

export interface PublishAction {
  kind: 'publish';
  topic: string;
  data: unknown;
  attributes?: MessageAttributes;
}

export interface HttpAction {
  kind: 'http';
  /** the configured service's name, e.g. `prediction_coordinator` */
  target: string;
  method: HttpMethod;
  url: string;
  body: unknown;
  /** ID-token audience */
  audience?: string;
  /** 4xx answers that mean the effect already happened (e.g. 409 already running) */
  done_statuses?: number[];
}

export type OutboxAction = PublishAction | HttpAction;

/** A publish written without `kind` (how transitions describe their trigger messages). */
export type OutboxMessage = Omit<PublishAction, 'kind'>;

export interface ActionProgress {
  state: 'in_flight' | 'sent' | 'failed' | 'rejected';
  at: string;
  /** the HTTP status, when the service answered */
  status: number | null;
  /** the answer (cut) or the error */
  detail: string | null;
  /** how often this action was sent again because an earlier attempt's outcome was unknown */
  resent_unknown: number;
}

export interface OutboxEntry {
  id: string;
  /** the function (entry point) that queued it and alone drives it */
  owner: string;
  actions: OutboxAction[];
  /** `sent`: every action went out; `rejected`: settled, some action refused with a 4xx */
  state: 'pending' | 'sent' | 'rejected' | 'abandoned';
  /** per action index */
  progress: Record<string, ActionProgress>;
  created_at: string;
  attempts: number;
  next_attempt_at: string;
  last_error?: string;
  sent_at?: string;
  settled_at?: string;
  /** merged into this document once every action went out (`sent_at_field`, if named, gets the send time) */
  on_sent?: { path: string; fields: StateDocument; sent_at_field?: string };
  /** who is driving it now, and until when ('' token: nobody) */
  lease: { token: string; until: string } | null;
  game_date?: string;
  /** what the entry is about, for people (the status page): an alert group and the notice's kind */
  about?: { key: string; label: string };
  /** severity of the stuck / rejected alerts (predictions not starting is CRITICAL) */
  alert_severity?: AlertSeverity;
  /** Firestore TTL: the entry is deleted this long after it was queued (see infra/firestore-ttl.ts) */
  expire_at: string;
  stuck_alert?: { raised_at: string; key: string };
  rejected_alert?: { raised_at: string; key: string };
}

export function outboxId(...parts: string[]): string {
  return parts.join('__').replace(/[^A-Za-z0-9_.-]/g, '-');
}

/** The idempotency key of one action: the same on every copy of it. */
export function actionKey(entryId: string, index: number): string {
  return `${entryId}:${index}`;
}

export interface QueuedEntry {
  id: string;
  owner: string;
  actions: Array<OutboxAction | OutboxMessage>;
  on_sent?: OutboxEntry['on_sent'];
  game_date?: string;
  about?: OutboxEntry['about'];
  alert_severity?: AlertSeverity;
}

/** Queues an entry inside the caller's decision transaction; a second decision with the same id fails it. */
export function enqueue(tx: StateTransaction, clock: Clock, queued: QueuedEntry): void {
  const now = clock.now().toISOString();
  const entry: OutboxEntry = {
    id: queued.id,
    owner: queued.owner,
    actions: queued.actions.map((action) =>
      'kind' in action ? action : ({ kind: 'publish', ...action } as PublishAction),
    ),
    state: 'pending',
    progress: {},
    created_at: now,
    attempts: 0,
    next_attempt_at: now,
    lease: null,
    expire_at: new Date(clock.now().getTime() + OUTBOX_RETENTION_DAYS * 86_400_000).toISOString(),
    ...(queued.on_sent ? { on_sent: queued.on_sent } : {}),
    ...(queued.game_date ? { game_date: queued.game_date } : {}),
    ...(queued.about ? { about: queued.about } : {}),
    ...(queued.alert_severity ? { alert_severity: queued.alert_severity } : {}),
  };
  tx.create(`${OUTBOX}/${queued.id}`, entry as unknown as StateDocument);
}

export interface OutboxDependencies {
  config: Pick<PipelineConfig, 'outbox' | 'project'>;
  state: StateStore;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  alerts: AlertSink;
  /** needed only by functions whose entries call HTTP services */
  http?: HttpCaller;
}

/** Drives one entry now (right after its decision, or from the owner's tick); true once it is sent. */
export async function drive(deps: OutboxDependencies, id: string): Promise<boolean> {
  const path = `${OUTBOX}/${id}`;
  const held = await takeLease(deps, path);
  if (!held) return (await deps.state.get(path))?.state === 'sent';
  return new EntryDriver(deps, path, held.entry, held.token).run();
}

/** Re-drives the owner's pending entries that are due (called from its tick). Returns how many went out. */
export async function drivePending(deps: OutboxDependencies, owner: string): Promise<number> {
  const now = deps.clock.now().toISOString();
  const pending = await deps.state.list(OUTBOX, [
    { field: 'state', op: '==', value: 'pending' },
    { field: 'owner', op: '==', value: owner },
  ]);
  let delivered = 0;
  for (const { id, data } of pending) {
    const entry = data as unknown as OutboxEntry;
    if (entry.next_attempt_at > now || (entry.lease && entry.lease.until > now)) continue;
    if (await drive(deps, id)) delivered += 1;
  }
  return delivered;
}

/** Minutes to wait after the `attempts`-th failed attempt. */
export function backoffMinutes(policy: OutboxPolicy, attempts: number): number {
  return Math.min(policy.max_backoff_minutes, policy.first_backoff_minutes * 2 ** Math.max(0, attempts - 1));
}

/** What an action is aimed at, as people read it. */
export function destinationOf(action: OutboxAction): string {
  if (action.kind === 'publish') return `Pub/Sub topic ${action.topic}`;
  // A secret URL (a Slack webhook) is stored as `secret:<NAME>` and never shown.
  if (action.url.startsWith('secret:'))
    return `${action.method} ${action.target} (URL from ${action.url.slice('secret:'.length)})`;
  return `${action.method} ${action.url}`;
}

const isoAfter = (now: Date, ms: number) => new Date(now.getTime() + ms).toISOString();

/**
 * Takes the entry for this driver when it is pending, due and not held by a
 * live driver. The attempt is counted here, so a driver that dies still counts.
 */
async function takeLease(
  deps: OutboxDependencies,
  path: string,
): Promise<{ entry: OutboxEntry; token: string } | undefined> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  return deps.state.transaction(async (tx) => {
    const entry = (await tx.get(path)) as unknown as OutboxEntry | undefined;
    if (entry?.state !== 'pending') return undefined;
    if (entry.lease && entry.lease.until > nowIso) return undefined;
    if (entry.next_attempt_at > nowIso) return undefined;
    const token = randomUUID();
    const attempts = entry.attempts + 1;
    tx.merge(path, {
      lease: { token, until: isoAfter(now, deps.config.outbox.lease_seconds * 1000) },
      attempts,
    });
    return { entry: { ...entry, progress: entry.progress ?? {}, attempts }, token };
  });
}

type ActionOutcome =
  | { kind: 'sent'; status: number | null; detail: string | null }
  | { kind: 'rejected'; status: number; detail: string }
  | { kind: 'retry'; status: number | null; detail: string };

/** One driver's pass over one leased entry. */
class EntryDriver {
  private readonly log: Logger;
  private readonly policy: OutboxPolicy;

  constructor(
    private readonly deps: OutboxDependencies,
    private readonly path: string,
    private readonly entry: OutboxEntry,
    private readonly token: string,
  ) {
    this.log = deps.logger.child({ outbox_id: entry.id, owner: entry.owner });
    this.policy = deps.config.outbox;
  }

  async run(): Promise<boolean> {
    for (const [index, action] of this.entry.actions.entries()) {
      const before = this.entry.progress[index];
      if (before?.state === 'sent' || before?.state === 'rejected') continue;
      const unknown = before?.state === 'in_flight';
      if (unknown)
        this.log.warning(
          `sending again to ${destinationOf(action)}: an earlier attempt's outcome is unknown (its driver stopped before recording it); same key`,
          { key: actionKey(this.entry.id, index) },
        );
      const resent = (before?.resent_unknown ?? 0) + (unknown ? 1 : 0);
      if (
        !(await this.record(index, {
          state: 'in_flight',
          status: null,
          detail: null,
          resent_unknown: resent,
        }))
      )
        return false;
      let outcome: ActionOutcome;
      try {
        outcome = await this.perform(index, action);
      } catch (error) {
        outcome = { kind: 'retry', status: null, detail: (error as Error).message };
      }
      if (outcome.kind === 'retry') return this.failed(index, action, outcome, resent);
      const mark = {
        state: outcome.kind,
        status: outcome.status,
        detail: outcome.detail,
        resent_unknown: resent,
      };
      if (!(await this.record(index, mark))) return false;
      if (outcome.kind === 'rejected')
        this.log.error(`${destinationOf(action)} answered ${outcome.status}: not retried`, {
          status: outcome.status,
          answer: outcome.detail,
        });
    }
    return this.finish();
  }

  private holds(stored: OutboxEntry | undefined, now: Date): boolean {
    return stored?.lease?.token === this.token && stored.lease.until > now.toISOString();
  }

  /**
   * Writes one action's mark, and extends the lease, only while this driver
   * holds it. False when the lease was lost: another driver owns the entry now
   * and will send this action again with the same key.
   */
  private async record(index: number, progress: Omit<ActionProgress, 'at'>): Promise<boolean> {
    const now = this.deps.clock.now();
    const held = await this.deps.state.transaction(async (tx) => {
      if (!this.holds((await tx.get(this.path)) as unknown as OutboxEntry | undefined, now)) return false;
      const mark: ActionProgress = { ...progress, at: now.toISOString() };
      tx.merge(this.path, {
        progress: { [String(index)]: mark },
        lease: { token: this.token, until: isoAfter(now, this.policy.lease_seconds * 1000) },
      });
      this.entry.progress[index] = mark;
      return true;
    });
    if (!held)
      this.log.warning(
        `lease lost before action ${index} was marked ${progress.state}; the next driver resends it`,
        {
          key: actionKey(this.entry.id, index),
        },
      );
    return held;
  }

  private async perform(index: number, action: OutboxAction): Promise<ActionOutcome> {
    const key = actionKey(this.entry.id, index);
    const timeoutMs = this.policy.action_timeout_seconds * 1000;
    if (action.kind === 'publish') {
      await withTimeout(
        this.deps.bus.publish({
          topic: action.topic,
          data: action.data,
          attributes: { ...action.attributes, [OUTBOX_KEY_ATTRIBUTE]: key },
        }),
        timeoutMs,
        `publish to ${action.topic}`,
      );
      return { kind: 'sent', status: null, detail: null };
    }
    if (!this.deps.http) throw new Error(`${this.entry.owner} has no HTTP caller for ${action.url}`);
    const answer = await this.deps.http.call({
      target: action.target,
      method: action.method,
      url: action.url,
      body: action.body,
      ...(action.audience ? { audience: action.audience } : {}),
      headers: { [OUTBOX_KEY_HEADER]: key },
      timeoutMs,
    });
    const detail = answer.body.slice(0, 500);
    if ((answer.status >= 200 && answer.status < 300) || action.done_statuses?.includes(answer.status))
      return { kind: 'sent', status: answer.status, detail };
    if (answer.status === 408 || answer.status === 429 || answer.status >= 500)
      return { kind: 'retry', status: answer.status, detail: `HTTP ${answer.status}: ${detail}` };
    return { kind: 'rejected', status: answer.status, detail };
  }

  /** A transient failure: record it, back off, and tell people once when it has gone on too long. */
  private async failed(
    index: number,
    action: OutboxAction,
    outcome: Extract<ActionOutcome, { kind: 'retry' }>,
    resent: number,
  ): Promise<false> {
    const now = this.deps.clock.now();
    const ageMinutes = (now.getTime() - Date.parse(this.entry.created_at)) / 60_000;
    const givingUp = ageMinutes >= this.policy.give_up_after_minutes;
    const backoff = backoffMinutes(this.policy, this.entry.attempts);
    let stuckAlert = this.entry.stuck_alert;
    if (!stuckAlert && (givingUp || this.entry.attempts >= this.policy.stuck_after_attempts)) {
      try {
        const alert = this.stuckAlert(action, outcome.detail, givingUp, backoff, now);
        await this.deps.alerts.raise(alert);
        stuckAlert = { raised_at: now.toISOString(), key: alert.key };
      } catch (error) {
        this.log.warning('stuck-entry alert not delivered; the next attempt raises it', {
          error: (error as Error).message,
        });
      }
    }
    const lastError = `${destinationOf(action)}: ${outcome.detail}`;
    await this.deps.state.transaction(async (tx) => {
      if (!this.holds((await tx.get(this.path)) as unknown as OutboxEntry | undefined, now)) return;
      const mark: ActionProgress = {
        state: 'failed',
        at: now.toISOString(),
        status: outcome.status,
        detail: outcome.detail,
        resent_unknown: resent,
      };
      tx.merge(this.path, {
        progress: { [String(index)]: mark },
        last_error: lastError,
        next_attempt_at: isoAfter(now, backoff * 60_000),
        lease: null,
        ...(givingUp ? { state: 'abandoned', settled_at: now.toISOString() } : {}),
        ...(stuckAlert ? { stuck_alert: stuckAlert } : {}),
      });
    });
    const fields = {
      attempt: this.entry.attempts,
      error: outcome.detail,
      destination: destinationOf(action),
    };
    if (givingUp) this.log.error('outbox entry abandoned: it never went out', fields);
    else this.log.warning(`not sent; retrying in ${backoff} min`, fields);
    return false;
  }

  /** Every action is settled: alert once on refusals, mark the entry, apply what it was waiting for. */
  private async finish(): Promise<boolean> {
    const now = this.deps.clock.now();
    const refused = this.entry.actions
      .map((action, index) => ({ action, index, progress: this.entry.progress[index]! }))
      .filter(({ progress }) => progress.state === 'rejected');
    let rejectedAlert = this.entry.rejected_alert;
    if (refused.length > 0 && !rejectedAlert) {
      try {
        const alert = this.rejectedAlert(refused, now);
        await this.deps.alerts.raise(alert);
        rejectedAlert = { raised_at: now.toISOString(), key: alert.key };
      } catch (error) {
        // The entry stays pending with its refusals recorded; the next driver raises it (the sink deduplicates).
        this.log.warning('rejection alert not delivered; the next tick raises it', {
          error: (error as Error).message,
        });
        await this.release(now);
        return false;
      }
    }
    const state = refused.length > 0 ? 'rejected' : 'sent';
    const nowIso = now.toISOString();
    const settled = await this.deps.state.transaction(async (tx) => {
      if (!this.holds((await tx.get(this.path)) as unknown as OutboxEntry | undefined, now)) return false;
      tx.merge(this.path, {
        state,
        settled_at: nowIso,
        ...(state === 'sent' ? { sent_at: nowIso } : {}),
        lease: null,
        ...(rejectedAlert ? { rejected_alert: rejectedAlert } : {}),
      });
      const onSent = this.entry.on_sent;
      if (state === 'sent' && onSent)
        tx.merge(onSent.path, {
          ...onSent.fields,
          ...(onSent.sent_at_field ? { [onSent.sent_at_field]: nowIso } : {}),
        });
      return true;
    });
    if (!settled) {
      this.log.warning('lease lost before the entry was marked settled; the next driver finishes it');
      return false;
    }
    if (this.entry.stuck_alert) await this.resolveStuck(this.entry.stuck_alert.key, state, now);
    return state === 'sent';
  }

  private async release(now: Date): Promise<void> {
    const backoff = backoffMinutes(this.policy, this.entry.attempts);
    await this.deps.state.transaction(async (tx) => {
      if (!this.holds((await tx.get(this.path)) as unknown as OutboxEntry | undefined, now)) return;
      tx.merge(this.path, { lease: null, next_attempt_at: isoAfter(now, backoff * 60_000) });
    });
  }

  private async resolveStuck(key: string, state: 'sent' | 'rejected', now: Date): Promise<void> {
    await this.deps.alerts
      .resolve({
        key,
        message: `${this.entry.id} is ${state === 'sent' ? 'out' : 'settled (refused)'} after ${this.entry.attempts} attempts`,
        resolved_at: now.toISOString(),
      })
      .catch((error: unknown) =>
        this.log.warning('stuck-entry resolution not delivered', { error: (error as Error).message }),
      );
  }

  /**
   * Keyed by owner, destination and date, not by entry: the three re-run
   * attempts of a date refused alike, or every entry waiting on one service
   * that is down, are one condition, which the sink tells people about once.
   */
  private alertIdentity(
    rule: 'outbox_stuck' | 'outbox_rejected',
    action: OutboxAction,
    now: Date,
  ): Pick<Alert, 'key' | 'subject' | 'raised_at' | 'status_url' | 'game_date'> {
    const subject = `${this.entry.owner}:${action.kind === 'http' ? action.target : action.topic}`;
    return {
      key: alertKey(rule, subject, this.entry.game_date),
      subject,
      ...(this.entry.game_date ? { game_date: this.entry.game_date } : {}),
      raised_at: now.toISOString(),
      status_url: this.deps.config.project.status_page_url,
    };
  }

  private stuckAlert(
    action: OutboxAction,
    error: string,
    givingUp: boolean,
    backoff: number,
    now: Date,
  ): Alert {
    const destination = destinationOf(action);
    return {
      rule: 'outbox_stuck',
      severity: this.entry.alert_severity ?? 'ERROR',
      ...this.alertIdentity('outbox_stuck', action, now),
      message:
        `${destination} has not gone out after ${this.entry.attempts} attempts since ${this.entry.created_at} ` +
        `(${this.entry.id}); last error: ${error}. ` +
        (givingUp ? 'Given up: it will not be sent.' : `Still retried, every ${backoff} min at most.`),
      details: {
        outbox_id: this.entry.id,
        owner: this.entry.owner,
        destination,
        attempts: this.entry.attempts,
        last_error: error,
        queued_at: this.entry.created_at,
        given_up: givingUp,
      },
    };
  }

  private rejectedAlert(
    refused: Array<{ action: OutboxAction; index: number; progress: ActionProgress }>,
    now: Date,
  ): Alert {
    const answers = refused.map(
      ({ action, progress }) =>
        `${destinationOf(action)} answered ${progress.status}: ${progress.detail ?? ''}`,
    );
    return {
      rule: 'outbox_rejected',
      severity: this.entry.alert_severity ?? 'ERROR',
      ...this.alertIdentity('outbox_rejected', refused[0]!.action, now),
      message: `${answers.join('; ')}. Not retried: the service refused the request itself (${this.entry.id}).`,
      details: {
        outbox_id: this.entry.id,
        owner: this.entry.owner,
        refused: refused.map(({ action, index, progress }) => ({
          key: actionKey(this.entry.id, index),
          destination: destinationOf(action),
          status: progress.status,
          answer: progress.detail,
          ...(action.kind === 'http' ? { url: action.url, body: action.body } : {}),
        })),
      },
    };
  }
}

/** Gives up waiting after `ms`; the outcome of what was started is then unknown. */
function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
