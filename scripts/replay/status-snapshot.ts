import { writeStatusSnapshot } from '../../functions/statusPage/snapshot.js';
import type { LocalStack } from '../local/stack.js';

/** The status page of the replayed day, written beside the report as HTML and JSON. */
export function statusSnapshotFor(): (
  stack: LocalStack,
  gameDate: string,
  dir: string,
) => Promise<{ html: string; json: string }> {
  return (stack, gameDate, dir) => writeStatusSnapshot(stack.backends, gameDate, dir);
}
