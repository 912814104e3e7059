import { DEFAULT_COLLECTIONS } from '../../shared/config/collections.js';
import { incidentVerdict } from '../../shared/domain/alert-incidents.js';
import type { PipelineConfig } from '../../shared/config/schema.js';
import type { Logger } from '../../shared/logging/logger.js';
import { MonitoringIncidentNotification } from '../../shared/messages/monitoring-incident.js';
import { decodeJson, type ReceivedMessage } from '../../shared/messages/pubsub-event.js';
import type { AlertSink } from '../../shared/ports/alert-sink.port.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import type { StateStore } from '../../shared/ports/state-store.port.js';
import { PermanentError } from '../../shared/runtime/errors.js';

/** One document per Monitoring incident: whether its close was handled, so a late `open` cannot reopen it. */
export const INCIDENTS_COLLECTION = DEFAULT_COLLECTIONS.monitoring_incidents;
/** Incident documents are kept this long (Firestore TTL on `expire_at`); Monitoring closes incidents in hours. */
export const INCIDENT_RETENTION_DAYS = 14;

export interface WorkerErrorIncidentDependencies {
  config: Pick<PipelineConfig, 'project'>;
  alerts: AlertSink;
  clock: Clock;
  logger: Logger;
  state: StateStore;
}

/**
 * A Cloud Monitoring incident of a worker-errors policy (`infra/monitoring.ts`),
 * read from the policies' Pub/Sub notification channel: an open incident
 * raises a `worker_errors` condition, its close resolves it. A notification
 * that is not Monitoring's incident JSON is refused (dead-lettered with the
 * reason); the ones around it are handled as usual.
 */
export async function handleWorkerErrorIncident(
  deps: WorkerErrorIncidentDependencies,
  message: ReceivedMessage,
): Promise<void> {
  const decoded = decodeJson(message.data, MonitoringIncidentNotification);
  if (!decoded.ok)
    throw new PermanentError(`not a Cloud Monitoring incident notification: ${decoded.reason}`);
  const { incident } = decoded.value;
  const path = `${INCIDENTS_COLLECTION}/${encodeURIComponent(incident.incident_id)}`;
  const seen = (await deps.state.get(path))?.state;
  const verdict = incidentVerdict(
    incident,
    deps.config.project.time_zone,
    seen === 'open' || seen === 'closed' ? seen : undefined,
  );
  const now = deps.clock.now();
  const fields = { incident_id: incident.incident_id, policy: incident.policy_name, state: incident.state };
  if (verdict.kind === 'ignore') {
    deps.logger.info(`Monitoring incident ignored: ${verdict.reason}`, fields);
    return;
  }
  if (verdict.kind === 'raise') await deps.alerts.raise({ ...verdict.alert, raised_at: now.toISOString() });
  else await deps.alerts.resolve({ ...verdict.resolution, resolved_at: now.toISOString() });
  await deps.state.merge(path, {
    incident_id: incident.incident_id,
    policy_name: incident.policy_name,
    state: incident.state,
    updated_at: now.toISOString(),
    expire_at: new Date(now.getTime() + INCIDENT_RETENTION_DAYS * 86_400_000).toISOString(),
  });
  deps.logger.info(`Monitoring incident ${incident.state}: ${incident.policy_name}`, fields);
}
