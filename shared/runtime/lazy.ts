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
