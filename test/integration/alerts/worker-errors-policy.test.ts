import { describe, expect, it } from 'vitest';
import { functionSpecs } from '../../../infra/functions.js';
import { monitoringSpec } from '../../../infra/monitoring.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';

describe('worker errors: log-based metric and alert policy as data', () => {
  it('watches every deployed function and the prediction worker, with the config threshold', () => {
    const config = loadPipelineConfig({
      alerts: { thresholds: { worker_errors: { count: 7, window_minutes: 10 } } },
    });
    const spec = monitoringSpec(config);
    const services = spec.logMetrics.map((metric) => metric.service);
    expect(services).toEqual(
      expect.arrayContaining([...functionSpecs(config).map((fn) => fn.name), 'prediction-worker']),
    );
    expect(new Set(spec.logMetrics.map((metric) => metric.name)).size).toBe(spec.logMetrics.length);

    const worker = spec.logMetrics.find((metric) => metric.service === 'prediction-worker')!;
    expect(worker.filter).toContain('resource.labels.service_name="prediction-worker"');
    expect(worker.filter).toContain('severity>=ERROR');
    // The alert sink's own ERROR entries are alerts, not worker errors.
    expect(worker.filter).toContain('NOT jsonPayload.alert_key:*');

    const policy = spec.alertPolicies.find((candidate) => candidate.metric === worker.name)!;
    expect(policy).toMatchObject({ threshold: 7, alignmentPeriodSeconds: 600, comparison: 'COMPARISON_GT' });
    expect(policy.filter).toBe(
      `metric.type="logging.googleapis.com/user/${worker.name}" AND resource.type="cloud_run_revision"`,
    );
    expect(policy.displayName).toBe('shotclock: prediction-worker errors over 7 in 10 min');
    expect(spec.notificationChannels.map((channel) => channel.id)).toEqual(policy.notificationChannels);
    // Its own topic, which the alert monitor reads (worker-error-incidents.test.ts): not the notices' topic.
    expect(spec.notificationChannels[0]?.topic).toBe(config.topics.monitoring_incidents);
  });
});
