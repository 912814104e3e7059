/**
 * Runs work for the same key one at a time within this instance. Work on one
 * Firestore document (a date's completion record, a (processor, date) check,
 * a date's alert group) then reaches Firestore one after the other (the
 * second sees the first's write and stops early) instead of contending in
 * transactions and waiting out lock timeouts; across instances the
 * transactions still decide.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
