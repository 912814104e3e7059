import {
  FieldPath,
  type Firestore,
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

/** Firestore rejects `undefined`; dropping such fields keeps "field absent" meaning "not set". */
function withoutUndefined(fields: StateDocument): StateDocument {
  return JSON.parse(JSON.stringify(fields)) as StateDocument;
}

class FirestoreTransaction implements StateTransaction {
  constructor(
    private readonly db: Firestore,
    private readonly tx: Transaction,
  ) {}

  async get(path: string) {
    const snapshot = await this.tx.get(this.db.doc(path));
    return snapshot.exists ? (snapshot.data() as StateDocument) : undefined;
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
    return snapshot.exists ? (snapshot.data() as StateDocument) : undefined;
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
      data: doc.data() as StateDocument,
    }));
  }

  transaction<T>(work: (tx: StateTransaction) => Promise<T>): Promise<T> {
    return this.db.runTransaction((tx) => work(new FirestoreTransaction(this.db, tx)));
  }
}
