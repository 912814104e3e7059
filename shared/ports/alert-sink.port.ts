import type { Alert, AlertResolution } from '../messages/alert.js';

/**
 * Where functions raise alerts. The sink owns deduplication and cooldowns
 * (kept in durable state, keyed by `alert.key`), so callers raise whenever a
 * condition holds and resolve when it clears.
 */
export interface AlertSink {
  raise(alert: Alert): Promise<void>;
  resolve(resolution: AlertResolution): Promise<void>;
}
