import {
  FieldPath,
  type Firestore,
  type Query,
  Timestamp,
  type Transaction,
  type WhereFilterOp,
} from '@google-cloud/firestore';
import type {
  FieldFilter,
  StateDocument,
  StateStore,
  StateTransaction,
  StoredDocument,
} from '../ports/state-store.port.js';

const isPlainMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/**
 * What Firestore is given: `undefined` fields dropped (Firestore rejects them;
 * "absent" means "not set"), the rest as JSON would carry it, except a `Date`,
 * which the client stores as a Timestamp.
 */
function forFirestore(value: unknown): unknown {
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : forFirestore(item)));
  if (isPlainMap(value))
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .map(([key, field]) => [key, forFirestore(field)]),
    );
  if (value !== null && typeof value === 'object') return JSON.parse(JSON.stringify(value));
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/** The field Firestore TTL policies delete by (`infra/firestore-ttl.ts`): it must be a Timestamp there. */
const EXPIRE_AT = 'expire_at';

/** A top-level `expire_at` given as ISO 8601 text is written as a Timestamp so a TTL policy can act on it. */
function withoutUndefined(fields: StateDocument): StateDocument {
  const plain = forFirestore(fields) as StateDocument;
  const expireAt = plain[EXPIRE_AT];
  if (typeof expireAt === 'string' && !Number.isNaN(Date.parse(expireAt)))
    plain[EXPIRE_AT] = new Date(expireAt);
  return plain;
}

/** A read document with every Firestore Timestamp turned back into a `Date`. */
function fromFirestore(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate();
  if (Array.isArray(value)) return value.map(fromFirestore);
  if (isPlainMap(value))
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, fromFirestore(field)]));
  return value;
}

/** Every Timestamp read back as a `Date`, except `expire_at`, which its writers read as ISO text. */
function documentOf(data: unknown): StateDocument {
  const document = fromFirestore(data) as StateDocument;
  const expireAt = document[EXPIRE_AT];
  return expireAt instanceof Date ? { ...document, [EXPIRE_AT]: expireAt.toISOString() } : document;
}

class FirestoreTransaction implements StateTransaction {
  constructor(
    private readonly db: Firestore,
    private readonly tx: Transaction,
  ) {}

  async get(path: string) {
    const snapshot = await this.tx.get(this.db.doc(path));
    return snapshot.exists ? documentOf(snapshot.data()) : undefined;
  }

  merge(path: string, fields: StateDocument) {
    this.tx.set(this.db.doc(path), withoutUndefined(fields), { merge: true });
  }

  create(path: string, data: StateDocument) {
    this.tx.create(this.db.doc(path), withoutUndefined(data));
  }

  delete(path: string) {
    this.tx.delete(this.db.doc(path));
  }
}

/** The StateStore on Firestore (or its emulator, when FIRESTORE_EMULATOR_HOST is set). */
export class FirestoreStateStore implements StateStore {
  constructor(private readonly db: Firestore) {}

  async get(path: string) {
    const snapshot = await this.db.doc(path).get();
    return snapshot.exists ? documentOf(snapshot.data()) : undefined;
  }

  async merge(path: string, fields: StateDocument) {
    await this.db.doc(path).set(withoutUndefined(fields), { merge: true });
  }

  async delete(path: string) {
    await this.db.doc(path).delete();
  }

  async list(collection: string, filters: FieldFilter[] = [], limit?: number): Promise<StoredDocument[]> {
    let query: Query = this.db.collection(collection);
    for (const filter of filters)
      query = query.where(
        new FieldPath(...filter.field.split('.')),
        filter.op as WhereFilterOp,
        forFirestore(filter.value),
      );
    if (limit !== undefined) query = query.limit(limit);
    const snapshot = await query.get();
    return snapshot.docs.map((doc) => ({
      id: doc.id,
      path: doc.ref.path,
      data: documentOf(doc.data()),
    }));
  }

  transaction<T>(work: (tx: StateTransaction) => Promise<T>): Promise<T> {
    return this.db.runTransaction((tx) => work(new FirestoreTransaction(this.db, tx)));
  }
}
