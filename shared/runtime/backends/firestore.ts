import { namedCollections } from '../../adapters/named-collections.state-store.js';
import type { Settings } from '../../config/env.js';
import type { StateStore } from '../../ports/state-store.port.js';

/**
 * The Firestore client is loaded when the store is first built (the first event), not at import.
 * shotclock's collections are the ones the loaded config names (`collections`).
 */
export async function firestoreStateStore(settings: Settings): Promise<StateStore> {
  const [{ Firestore }, { FirestoreStateStore }] = await Promise.all([
    import('../../adapters/google-clients/firestore.client.js'),
    import('../../adapters/firestore.state-store.js'),
  ]);
  return namedCollections(
    new FirestoreStateStore(
      new Firestore({ projectId: settings.projectId, ignoreUndefinedProperties: true }),
    ),
    settings.config.collections,
  );
}
