import type { Alert, AlertResolution, AlertSeverity } from '../messages/alert.js';
import { alertKey } from '../messages/alert.js';
import type { MonitoringIncident } from '../messages/monitoring-incident.js';
import { resolveGameDate } from './calendar.js';

/**
 * A Cloud Monitoring incident of a worker-errors policy as a shotclock
 * condition (rule `worker_errors`): `open` raises it, `closed` resolves it,
 * with the same grouped lifecycle as every other rule. One condition per
 * incident, in the group of the pipeline date the incident started on (in the
 * pipeline's time zone), so a crash loop during a day's run is listed with
 * that day's other problems.
 */
export type IncidentVerdict =
  | { kind: 'raise'; alert: Omit<Alert, 'raised_at'> }
  | { kind: 'resolve'; resolution: Omit<AlertResolution, 'resolved_at'> }
  /** already closed: a late or redelivered `open` must not reopen it */
  | { kind: 'ignore'; reason: string };

/** The service a policy watches: the Cloud Run service label, else what the policy name says. */
export function incidentService(incident: MonitoringIncident): string {
  const label = incident.resource?.labels?.service_name;
  if (label) return label;
  const named = incident.policy_name.match(/^shotclock: (\S+) errors/)?.[1];
  return named ?? incident.resource_display_name ?? incident.policy_name;
}

function severityOf(incident: MonitoringIncident): AlertSeverity {
  const word = (incident.severity ?? '').toLowerCase();
  if (word === 'critical') return 'CRITICAL';
  if (word === 'warning') return 'WARNING';
  return 'ERROR';
}

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

/** The pipeline date the incident started on: its group. */
export const incidentDate = (incident: MonitoringIncident, timeZone: string) =>
  resolveGameDate('TODAY', new Date(incident.started_at * 1000), timeZone);

export function incidentKey(incident: MonitoringIncident, timeZone: string): string {
  return alertKey(
    'worker_errors',
    `${incidentService(incident)}:${incident.incident_id}`,
    incidentDate(incident, timeZone),
  );
}

export function incidentVerdict(
  incident: MonitoringIncident,
  timeZone: string,
  /** what was recorded for this incident before (`closed` once its close was handled) */
  seen: 'open' | 'closed' | undefined,
): IncidentVerdict {
  const key = incidentKey(incident, timeZone);
  const service = incidentService(incident);
  if (incident.state === 'closed') {
    const ended = incident.ended_at ? ` at ${iso(incident.ended_at)}` : '';
    return {
      kind: 'resolve',
      resolution: { key, message: `${service} errors back under the policy threshold${ended}` },
    };
  }
  if (seen === 'closed') return { kind: 'ignore', reason: `incident ${incident.incident_id} already closed` };
  const gameDate = incidentDate(incident, timeZone);
  const summary = incident.summary ? `: ${incident.summary}` : '';
  return {
    kind: 'raise',
    alert: {
      key,
      rule: 'worker_errors',
      severity: severityOf(incident),
      subject: service,
      game_date: gameDate,
      message: `${service} is logging errors (${incident.policy_name})${summary}`,
      details: {
        incident_id: incident.incident_id,
        policy_name: incident.policy_name,
        ...(incident.condition_name ? { condition_name: incident.condition_name } : {}),
        started_at: iso(incident.started_at),
        ...(incident.url ? { incident_url: incident.url } : {}),
      },
    },
  };
}
