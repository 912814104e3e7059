import { KeyedQueue } from '../../shared/runtime/keyed-queue.js';

/** One queue per instance for the record-count checker's (processor, date) documents. */
const perInstance = new KeyedQueue();

/** Runs `work` after every earlier `work` with the same key in this instance (see `KeyedQueue`). */
export function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  return perInstance.run(key, work);
}
