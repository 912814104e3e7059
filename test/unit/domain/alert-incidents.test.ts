import { describe, expect, it } from 'vitest';
import { incidentService, incidentVerdict } from '../../../shared/domain/alert-incidents.js';
import { MonitoringIncidentNotification } from '../../../shared/messages/monitoring-incident.js';

const ZONE = 'America/New_York';

function parsed(incident: Record<string, unknown>) {
  return MonitoringIncidentNotification.parse({
    version: '1.2',
    incident: {
      incident_id: '0.abc',
      policy_name: 'shotclock: prediction-worker errors over 5 in 5 min',
      state: 'open',
      started_at: Date.parse('2026-01-18T02:08:00Z') / 1000,
      summary: 'above the threshold of 5 with a value of 37',
      resource: { type: 'cloud_run_revision', labels: { service_name: 'prediction-worker' } },
      ...incident,
    },
  }).incident;
}

describe('Cloud Monitoring incidents as worker_errors conditions', () => {
  it('an open incident raises one condition per incident, in the group of the ET date it started on', () => {
    const verdict = incidentVerdict(parsed({}), ZONE, undefined);
    expect(verdict).toMatchObject({
      kind: 'raise',
      alert: {
        key: 'worker_errors:prediction-worker:0.abc:2026-01-17',
        rule: 'worker_errors',
        severity: 'ERROR',
        subject: 'prediction-worker',
        game_date: '2026-01-17',
      },
    });
  });

  it('its close resolves the same key; a late open after the close is ignored', () => {
    const closed = parsed({ state: 'closed', ended_at: Date.parse('2026-01-18T03:20:00Z') / 1000 });
    expect(incidentVerdict(closed, ZONE, 'open')).toEqual({
      kind: 'resolve',
      resolution: {
        key: 'worker_errors:prediction-worker:0.abc:2026-01-17',
        message: 'prediction-worker errors back under the policy threshold at 2026-01-18T03:20:00.000Z',
      },
    });
    expect(incidentVerdict(parsed({}), ZONE, 'closed').kind).toBe('ignore');
  });

  it.each([
    ['Critical', 'CRITICAL'],
    ['Warning', 'WARNING'],
    ['No severity', 'ERROR'],
    [undefined, 'ERROR'],
  ])('policy severity %s -> %s', (severity, expected) => {
    const verdict = incidentVerdict(parsed(severity ? { severity } : {}), ZONE, undefined);
    expect(verdict.kind === 'raise' && verdict.alert.severity).toBe(expected);
  });

  it('names the service from the resource label, else from the policy name', () => {
    expect(incidentService(parsed({ resource: undefined }))).toBe('prediction-worker');
    expect(incidentService(parsed({ resource: undefined, policy_name: 'custom policy' }))).toBe(
      'custom policy',
    );
  });

  it.each([
    [{ version: '1.1', incident: {} }, /version/],
    [
      {
        version: '1.2',
        incident: { incident_id: 'x', policy_name: 'p', state: 'acknowledged', started_at: 1 },
      },
      /state/,
    ],
    [{ version: '1.2', incident: { policy_name: 'p', state: 'open', started_at: 1 } }, /incident_id/],
  ])('refuses %j with the reason', (notification, reason) => {
    const result = MonitoringIncidentNotification.safeParse(notification);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(reason);
  });
});
