import { Storage } from '@google-cloud/storage';
import { FolderObjectStore } from '../../adapters/folder.object-store.js';
import { GcsObjectStore } from '../../adapters/gcs.object-store.js';
import type { Settings } from '../../config/env.js';
import type { ObjectStore } from '../../ports/object-store.port.js';

export function objectStore(settings: Settings): ObjectStore {
  const store = settings.env.SHOTCLOCK_OBJECT_STORE;
  if (store.startsWith('folder:')) return new FolderObjectStore(store.slice('folder:'.length));
  return new GcsObjectStore(new Storage({ projectId: settings.projectId }));
}
