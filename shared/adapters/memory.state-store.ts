import type {
  FieldFilter,
  StateDocument,
  StateStore,
  StateTransaction,
  StoredDocument,
} from '../ports/state-store.port.js';

/** A nested map (merged field by field); a `Date` is a value, kept whole as Firestore keeps a Timestamp. */
const isMap = (value: unknown): value is StateDocument =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

function mergeFields(target: StateDocument, fields: StateDocument): StateDocument {
  const merged: StateDocument = { ...target };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    merged[key] =
      isMap(value) && isMap(merged[key]) ? mergeFields(merged[key] as StateDocument, value) : value;
  }
  return merged;
}

function fieldValue(data: StateDocument, field: string): unknown {
  return field.split('.').reduce<unknown>((value, key) => (isMap(value) ? value[key] : undefined), data);
}

function matches(data: StateDocument, { field, op, value }: FieldFilter): boolean {
  const actual = fieldValue(data, field) as never;
  switch (op) {
    case '==':
      return actual === value;
    case '!=':
      return actual !== undefined && actual !== value;
    case '<':
      return actual !== undefined && actual < (value as never);
    case '<=':
      return actual !== undefined && actual <= (value as never);
    case '>':
      return actual !== undefined && actual > (value as never);
    case '>=':
      return actual !== undefined && actual >= (value as never);
    case 'in':
      return Array.isArray(value) && value.includes(actual);
  }
}

/**
 * In-memory StateStore for unit tests of pure logic only: integration tests use
 * the Firestore emulator. Transactions run one at a time, which is the
 * serialisable outcome Firestore guarantees.
 */
export class MemoryStateStore implements StateStore {
  private readonly documents = new Map<string, StateDocument>();
  private lock: Promise<unknown> = Promise.resolve();

  async get(path: string) {
    const document = this.documents.get(path);
    return document ? structuredClone(document) : undefined;
  }

  async merge(path: string, fields: StateDocument) {
    this.documents.set(path, mergeFields(this.documents.get(path) ?? {}, structuredClone(fields)));
  }

  async delete(path: string) {
    this.documents.delete(path);
  }

  async list(collection: string, filters: FieldFilter[] = [], limit?: number): Promise<StoredDocument[]> {
    const found: StoredDocument[] = [];
    for (const [path, data] of [...this.documents].sort(([a], [b]) => a.localeCompare(b))) {
      const slash = path.lastIndexOf('/');
      if (path.slice(0, slash) !== collection) continue;
      if (!filters.every((filter) => matches(data, filter))) continue;
      found.push({ id: path.slice(slash + 1), path, data: structuredClone(data) });
    }
    return limit === undefined ? found : found.slice(0, limit);
  }

  transaction<T>(work: (tx: StateTransaction) => Promise<T>): Promise<T> {
    const run = async () => {
      const writes: Array<() => void> = [];
      const tx: StateTransaction = {
        get: (path) => this.get(path),
        merge: (path, fields) => writes.push(() => void this.merge(path, fields)),
        create: (path, data) =>
          writes.push(() => {
            if (this.documents.has(path)) throw new Error(`document already exists: ${path}`);
            this.documents.set(path, structuredClone(data));
          }),
        delete: (path) => writes.push(() => this.documents.delete(path)),
      };
      const result = await work(tx);
      // All or nothing: apply to a copy, keep it only when every write succeeded.
      const before = new Map(this.documents);
      try {
        for (const write of writes) write();
      } catch (error) {
        this.documents.clear();
        for (const [path, data] of before) this.documents.set(path, data);
        throw error;
      }
      return result;
    };
    const next = this.lock.then(run, run);
    this.lock = next.catch(() => undefined);
    return next;
  }
}
