import type { FirestoreStateStore } from '../../adapters/firestore.state-store.js';
import type { Settings } from '../../config/env.js';

/** The Firestore client is loaded when the store is first built (the first event), not at import. */
export async function firestoreStateStore(settings: Settings): Promise<FirestoreStateStore> {
  const [{ Firestore }, { FirestoreStateStore }] = await Promise.all([
    import('../../adapters/google-clients/firestore.client.js'),
    import('../../adapters/firestore.state-store.js'),
  ]);
  return new FirestoreStateStore(
    new Firestore({ projectId: settings.projectId, ignoreUndefinedProperties: true }),
  );
}
