import { Firestore } from '@google-cloud/firestore';
import { FirestoreStateStore } from '../../adapters/firestore.state-store.js';
import type { Settings } from '../../config/env.js';

export function firestoreStateStore(settings: Settings): FirestoreStateStore {
  return new FirestoreStateStore(
    new Firestore({ projectId: settings.projectId, ignoreUndefinedProperties: true }),
  );
}
