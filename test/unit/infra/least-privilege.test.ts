import { describe, expect, it } from 'vitest';
import { ALLOWED_BINDINGS } from '../../../infra/allowed-bindings.js';
import { loadPipelineConfig } from '../../../shared/config/load.js';
import { planFor } from '../../../scripts/cli/deploy-command.js';

const config = loadPipelineConfig();
const { steps, topology } = planFor(config, config.project.id);
const grants = steps.flatMap((step) => (step.grant ? [{ resource: step.resource, ...step.grant }] : []));
const allowed = (grant: (typeof grants)[number]) =>
  ALLOWED_BINDINGS.find(
    (entry) => entry.scope === grant.scope && entry.role === grant.role && entry.member.test(grant.member),
  );

describe('least privilege: every binding in the plan is on the allow-list, with its reason', () => {
  it('lists each binding of the plan against the allow-list', () => {
    const listing = grants.map(
      (grant) =>
        `${grant.scope} ${grant.target} ${grant.role} ${grant.member} -> ${allowed(grant)?.reason ?? 'NOT ALLOWED'}`,
    );
    expect(listing.filter((line) => line.endsWith('NOT ALLOWED'))).toEqual([]);
    expect(grants.length).toBeGreaterThan(100);
  });

  it('keeps no allow-list entry the plan does not use (a right dropped from the plan leaves the list too)', () => {
    const withPeople = planFor(config, config.project.id, {
      people: { statusViewers: ['user:ops@example.com'], gateOverriders: ['user:lead@example.com'] },
    }).steps.flatMap((step) => (step.grant ? [{ resource: step.resource, ...step.grant }] : []));
    const used = new Set(withPeople.map((grant) => allowed(grant)));
    expect(
      ALLOWED_BINDINGS.filter((entry) => !used.has(entry)).map((entry) => `${entry.scope} ${entry.role}`),
    ).toEqual([]);
  });

  it('grants no project-level role outside the allow-list, and none of the broad ones', () => {
    const projectRoles = new Set(
      grants.filter((grant) => grant.scope === 'project').map((grant) => grant.role),
    );
    const allowedProjectRoles = new Set(
      ALLOWED_BINDINGS.filter((entry) => entry.scope === 'project').map((entry) => entry.role),
    );
    for (const role of projectRoles) expect(allowedProjectRoles).toContain(role);
    for (const broad of [
      'roles/run.invoker',
      'roles/bigquery.dataViewer',
      'roles/bigquery.dataEditor',
      'roles/owner',
      'roles/editor',
    ])
      expect(projectRoles).not.toContain(broad);
  });

  it('lets the push account invoke only event functions, and the probe only the functions it probes', () => {
    const invokers = grants.filter((grant) => grant.role === 'roles/run.invoker');
    const events = new Set(topology.functions.filter((fn) => fn.kind === 'event').map((fn) => fn.name));
    for (const grant of invokers.filter((g) => g.member.includes('shotclock-push-invoker')))
      expect(events).toContain(grant.target);
    const names = new Set(topology.functions.map((fn) => fn.name));
    for (const grant of invokers) expect(names).toContain(grant.target);
  });

  it('lets people named at deploy open the status page and override the gate, and nothing else', () => {
    const withPeople = planFor(config, config.project.id, {
      people: {
        statusViewers: ['user:ops@example.com', 'group:fans@example.com'],
        gateOverriders: ['user:lead@example.com'],
      },
    }).steps.flatMap((step) => (step.grant ? [step.grant] : []));
    const forPeople = withPeople.filter((grant) => /^(user|group):/.test(grant.member));
    expect(forPeople.map((g) => `${g.scope} ${g.target} ${g.role} ${g.member}`).sort()).toEqual([
      'service freshness-gate-http roles/run.invoker user:lead@example.com',
      'service status-page roles/run.invoker group:fans@example.com',
      'service status-page roles/run.invoker user:ops@example.com',
    ]);
    for (const grant of forPeople) expect(allowed({ resource: '', ...grant })?.reason).toBeDefined();
    const gate = planFor(config, config.project.id, {
      people: { gateOverriders: ['user:lead@example.com'] },
    }).steps.find((step) => step.resource === 'function freshness-gate-http')!;
    expect(gate.create.join(' ')).toContain('SHOTCLOCK_GATE_OVERRIDERS=lead@example.com');
  });

  it('keeps bucket rights inside the export prefix, and BigQuery rights on datasets', () => {
    for (const grant of grants.filter((g) => g.scope === 'bucket'))
      expect(grant.condition?.expression).toBe(
        `resource.name.startsWith("projects/_/buckets/${config.grading.bucket}/objects/${config.grading.path_prefix}")`,
      );
    expect(
      grants
        .filter((g) => g.role.startsWith('bigquery.') || g.role.includes('bigquery.data'))
        .every((g) => g.scope === 'dataset'),
    ).toBe(true);
  });
});
