import { FolderObjectStore } from '../../adapters/folder.object-store.js';
import { GcsObjectStore } from '../../adapters/gcs.object-store.js';
import type { Settings } from '../../config/env.js';
import type { ObjectStore } from '../../ports/object-store.port.js';

/** Cloud Storage, its client loaded on first use; `SHOTCLOCK_OBJECT_STORE=folder:<dir>` never loads it. */
export async function objectStore(settings: Settings): Promise<ObjectStore> {
  const store = settings.env.SHOTCLOCK_OBJECT_STORE;
  if (store.startsWith('folder:')) return new FolderObjectStore(store.slice('folder:'.length));
  const { Storage } = await import('../../adapters/google-clients/storage.client.js');
  return new GcsObjectStore(new Storage({ projectId: settings.projectId }));
}
