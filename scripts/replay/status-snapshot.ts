import type { LocalStack } from '../local/stack.js';

/** The status page of the replayed day, written beside the report (once the status page function exists). */
export function statusSnapshotFor():
  | ((stack: LocalStack, gameDate: string, dir: string) => Promise<{ html: string; json: string }>)
  | undefined {
  return undefined;
}
