import { z } from 'zod';

/**
 * What Cloud Monitoring publishes on a Pub/Sub notification channel when an
 * alert policy opens or closes an incident (notification schema version
 * 1.2). Only the fields shotclock reads are checked; Monitoring adds fields
 * over time, so the rest is kept as it comes. Times are epoch seconds;
 * `ended_at` is empty while the incident is open.
 */
const EpochSeconds = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+$/, 'expected epoch seconds')
    .transform((text) => Number(text)),
]);

export const MonitoringIncident = z.looseObject({
  incident_id: z.string().min(1),
  policy_name: z.string().min(1),
  condition_name: z.string().optional(),
  /** `open` or `closed` (compared without case: test notifications have used `OPEN`) */
  state: z
    .string()
    .transform((state) => state.toLowerCase())
    .pipe(z.enum(['open', 'closed'])),
  started_at: EpochSeconds,
  ended_at: EpochSeconds.nullable().optional(),
  summary: z.string().default(''),
  url: z.string().optional(),
  /** the policy's severity as Monitoring words it (`Error`, `Critical`, `Warning`, `No severity`) */
  severity: z.string().optional(),
  resource: z
    .looseObject({
      type: z.string().optional(),
      labels: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  resource_display_name: z.string().optional(),
});
export type MonitoringIncident = z.infer<typeof MonitoringIncident>;

export const MonitoringIncidentNotification = z.looseObject({
  version: z.literal('1.2', { error: 'expected notification schema version "1.2"' }),
  incident: MonitoringIncident,
});
export type MonitoringIncidentNotification = z.infer<typeof MonitoringIncidentNotification>;
