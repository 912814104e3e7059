/**
 * Record-count decisions, in three files: the verdict on one count
 * (`record-count-verdict.ts`), the retry series of one (processor, date)
 * (`record-count-retry.ts`), and the per-processor circuit breaker
 * (`record-count-breaker.ts`). Import from here or from the file itself.
 */
export * from './record-count-breaker.js';
export * from './record-count-retry.js';
export * from './record-count-verdict.js';
