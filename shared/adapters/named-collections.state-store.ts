import { DEFAULT_COLLECTIONS, type StateCollections } from '../config/collections.js';
import type {
  FieldFilter,
  StateDocument,
  StateStore,
  StateTransaction,
  StoredDocument,
} from '../ports/state-store.port.js';

/**
 * A state store whose shotclock collections are the ones the pipeline config names. The functions
 * address their documents by the default collection names (`freshness_gate/2026-01-18`); this
 * puts each in the configured collection (`collections.freshness_gate`) and reports listed
 * documents back under the default name, so a path read from a listing can be written to again.
 * Any other collection (the phases' `state_collection`s) is passed through untouched.
 */
export function namedCollections(store: StateStore, collections: StateCollections): StateStore {
  const renamed = new Map<string, string>();
  for (const [role, name] of Object.entries(DEFAULT_COLLECTIONS))
    if (collections[role as keyof StateCollections] !== name)
      renamed.set(name, collections[role as keyof StateCollections]);
  if (renamed.size === 0) return store;
  const back = new Map([...renamed].map(([logical, actual]) => [actual, logical]));
  return new NamedCollectionsStateStore(store, renamed, back);
}

/** `shotclock_outbox/abc` -> `<configured outbox>/abc`; only the first segment names a top-level collection. */
function rename(path: string, names: ReadonlyMap<string, string>): string {
  const slash = path.indexOf('/');
  const collection = slash === -1 ? path : path.slice(0, slash);
  const actual = names.get(collection);
  return actual === undefined ? path : actual + path.slice(collection.length);
}

class NamedCollectionsStateStore implements StateStore {
  constructor(
    private readonly store: StateStore,
    private readonly renamed: ReadonlyMap<string, string>,
    private readonly back: ReadonlyMap<string, string>,
  ) {}

  get(path: string): Promise<StateDocument | undefined> {
    return this.store.get(rename(path, this.renamed));
  }

  merge(path: string, fields: StateDocument): Promise<void> {
    return this.store.merge(rename(path, this.renamed), fields);
  }

  delete(path: string): Promise<void> {
    return this.store.delete(rename(path, this.renamed));
  }

  async list(collection: string, filters?: FieldFilter[], limit?: number): Promise<StoredDocument[]> {
    const documents = await this.store.list(rename(collection, this.renamed), filters, limit);
    return documents.map((document) => ({ ...document, path: rename(document.path, this.back) }));
  }

  transaction<T>(work: (tx: StateTransaction) => Promise<T>): Promise<T> {
    return this.store.transaction((tx) =>
      work({
        get: (path) => tx.get(rename(path, this.renamed)),
        merge: (path, fields) => tx.merge(rename(path, this.renamed), fields),
        create: (path, data) => tx.create(rename(path, this.renamed), data),
        delete: (path) => tx.delete(rename(path, this.renamed)),
      }),
    );
  }
}
