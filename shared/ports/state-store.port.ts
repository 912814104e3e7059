/**
 * Durable state (Firestore in production). Documents are addressed by a path of
 * alternating collection and document ids, e.g. `phase3_completion/2026-01-17`.
 * `merge` is a field-level merge: nested maps merge, other fields are kept, so
 * two writers touching different fields never drop each other's work.
 * A `Date` (at any depth) is stored as the backend's own timestamp type (a
 * Firestore Timestamp, which other readers of the same documents expect) and
 * read back as a `Date`; an ISO 8601 string stays a string.
 */
export type StateDocument = Record<string, unknown>;

/** The ISO 8601 text of a stored instant, whether it was written as a `Date` or as a string. */
export function instantText(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return typeof value === 'string' ? value : undefined;
}

export interface StoredDocument {
  id: string;
  path: string;
  data: StateDocument;
}

export type FieldFilter = {
  field: string;
  op: '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in';
  value: unknown;
};

export interface StateTransaction {
  get(path: string): Promise<StateDocument | undefined>;
  /** Field-level merge, applied when the transaction commits. */
  merge(path: string, fields: StateDocument): void;
  /** Fails the transaction when the document already exists. */
  create(path: string, data: StateDocument): void;
  delete(path: string): void;
}

export interface StateStore {
  get(path: string): Promise<StateDocument | undefined>;
  merge(path: string, fields: StateDocument): Promise<void>;
  delete(path: string): Promise<void>;
  /** Documents of one collection, optionally filtered (all filters must hold). */
  list(collection: string, filters?: FieldFilter[], limit?: number): Promise<StoredDocument[]>;
  /**
   * Runs `work` in a transaction: reads see a consistent snapshot, writes commit
   * atomically, and `work` is re-run when the store aborts on contention.
   */
  transaction<T>(work: (tx: StateTransaction) => Promise<T>): Promise<T>;
}
