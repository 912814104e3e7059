import type { FakeGcp } from './server.js';

/**
 * The incumbent parts the default config lists for take-over, put in a fake project as they are in
 * production: its 18:00 predictions job and Phase 4 timeout job (and another team's job, which nothing
 * may touch), and its Phase 3 -> 4 orchestrator with the push subscription Eventarc made for it (an
 * endpoint with a query string, a token with its own audience). Its Phase 4 -> 5 orchestrator is not
 * deployed.
 */
export function putIncumbentParts(fake: FakeGcp, project: string, region: string) {
  const jobs = `cloudscheduler:projects/${project}/locations/${region}/jobs`;
  for (const id of ['same-day-predictions-tomorrow', 'phase4-timeout-check-job', 'another-teams-job'])
    fake.put(`${jobs}/${id}`, {
      name: `${jobs.slice(15)}/${id}`,
      schedule: '0 18 * * *',
      timeZone: 'America/New_York',
      state: 'ENABLED',
      httpTarget: { uri: 'https://x.example.test/start' },
    });
  const account = `incumbent@${project}.iam.gserviceaccount.com`;
  const fn = `cloudfunctions:projects/${project}/locations/${region}/functions/phase3-to-phase4-orchestrator`;
  const uri = `${fake.url}/runapp/phase3-to-phase4-orchestrator`;
  fake.put(fn, {
    name: fn.slice(15),
    serviceConfig: { uri },
    eventTrigger: { serviceAccountEmail: account },
  });
  fake.put(
    `iam:projects/${project}/serviceAccounts/${account}`,
    { name: `projects/${project}/serviceAccounts/${account}`, email: account },
    0,
  );
  const topic = `projects/${project}/topics/nba-phase3-analytics-complete`;
  if (!fake.get(`pubsub:${topic}`)) fake.put(`pubsub:${topic}`, { name: topic });
  const subscription = `pubsub:projects/${project}/subscriptions/eventarc-${region}-phase3-to-phase4-orchestrator-000-sub-123`;
  const pushConfig = {
    pushEndpoint: `${uri}?__GCP_CloudEventsMode=CUSTOM_PUBSUB_projects%2F${project}%2Ftopics%2Fnba-phase3-analytics-complete`,
    oidcToken: { serviceAccountEmail: account, audience: `${uri}/x` },
  };
  fake.put(subscription, { name: subscription.slice(7), topic, pushConfig, ackDeadlineSeconds: 600 });
  return { jobs, subscription, pushConfig, topic };
}
