/** Builds a value on first use and keeps it for the life of the instance. */
export function lazily<T>(build: () => Promise<T> | T): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= Promise.resolve()
      .then(build)
      .catch((error) => {
        built = undefined; // a failed start may succeed on the next event
        throw error;
      });
    return built;
  };
}

/**
 * A functions-framework target whose code loads on its first call instead of
 * when the framework imports the function. The framework serves only once
 * that import is done, so a cold start's import stays the size of the
 * registration; the handler, its schemas, the config and the libraries they
 * use (zod, luxon, croner, pino) load with the first event, once per
 * instance. A load that fails fails that call (a 500, so Pub/Sub redelivers)
 * and is tried again on the next one.
 */
export function loadedOnFirstCall<Args extends unknown[], Result>(
  load: () => Promise<(...args: Args) => Result>,
): (...args: Args) => Promise<Result> {
  const target = lazily(load);
  return async (...args) => (await target())(...args);
}
