import type { Storage } from '@google-cloud/storage';
import type { ObjectStore, ObjectWrite, StoredObject } from '../ports/object-store.port.js';

/** The ObjectStore on Cloud Storage. */
export class GcsObjectStore implements ObjectStore {
  constructor(private readonly storage: Storage) {}

  async put({ bucket, path, body, contentType, cacheControl }: ObjectWrite): Promise<void> {
    await this.storage
      .bucket(bucket)
      .file(path)
      .save(body, {
        resumable: false,
        contentType,
        metadata: cacheControl ? { cacheControl } : {},
      });
  }

  async get(bucket: string, path: string): Promise<StoredObject | undefined> {
    const file = this.storage.bucket(bucket).file(path);
    const [exists] = await file.exists();
    if (!exists) return undefined;
    const [[contents], [metadata]] = await Promise.all([file.download(), file.getMetadata()]);
    return {
      body: contents.toString('utf8'),
      contentType: metadata.contentType ?? 'application/octet-stream',
      ...(metadata.cacheControl ? { cacheControl: metadata.cacheControl } : {}),
      updatedAt: metadata.updated ?? new Date(0).toISOString(),
    };
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    const [files] = await this.storage.bucket(bucket).getFiles({ prefix });
    return files.map((file) => file.name).sort();
  }
}
