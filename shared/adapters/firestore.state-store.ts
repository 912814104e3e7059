import {
  FieldPath,
  type Firestore,
  Timestamp,
  type Query,
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

/** The field Firestore TTL policies delete by (`infra/firestore-ttl.ts`): it must be a Timestamp there. */
const EXPIRE_AT = 'expire_at';

/**
 * Firestore rejects `undefined`; dropping such fields keeps "field absent"
 * meaning "not set". A top-level `expire_at` (ISO 8601, like every time in
 * the port) is written as a Timestamp so a TTL policy can act on it.
 */
function withoutUndefined(fields: StateDocument): StateDocument {
  const plain = JSON.parse(JSON.stringify(fields)) as StateDocument;
  const expireAt = plain[EXPIRE_AT];
  if (typeof expireAt === 'string' && !Number.isNaN(Date.parse(expireAt)))
    plain[EXPIRE_AT] = Timestamp.fromDate(new Date(expireAt));
  return plain;
}

/** Reads give back ISO strings, as the port promises. */
function portable(data: StateDocument | undefined): StateDocument | undefined {
  if (!data) return data;
  const expireAt = data[EXPIRE_AT];
  return expireAt instanceof Timestamp ? { ...data, [EXPIRE_AT]: expireAt.toDate().toISOString() } : data;
}

class FirestoreTransaction implements StateTransaction {
  constructor(
    private readonly db: Firestore,
    private readonly tx: Transaction,
  ) {}

  async get(path: string) {
    const snapshot = await this.tx.get(this.db.doc(path));
    return snapshot.exists ? portable(snapshot.data() as StateDocument) : undefined;
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
    return snapshot.exists ? portable(snapshot.data() as StateDocument) : undefined;
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
        filter.value,
      );
    if (limit !== undefined) query = query.limit(limit);
    const snapshot = await query.get();
    return snapshot.docs.map((doc) => ({
      id: doc.id,
      path: doc.ref.path,
      data: portable(doc.data() as StateDocument)!,
    }));
  }

  transaction<T>(work: (tx: StateTransaction) => Promise<T>): Promise<T> {
    return this.db.runTransaction((tx) => work(new FirestoreTransaction(this.db, tx)));
  }
}
