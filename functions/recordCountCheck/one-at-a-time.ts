const tails = new Map<string, Promise<unknown>>();

/**
 * Runs `work` after every earlier `work` with the same key in this instance.
 * Duplicate completions of one (processor, date) delivered side by side would
 * otherwise contend for the same Firestore document (and wait out lock
 * timeouts); across instances the transaction still decides.
 */
export function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  const tail = next.catch(() => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return next;
}
