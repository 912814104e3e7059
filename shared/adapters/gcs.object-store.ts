import type { Storage } from '@google-cloud/storage';
import {
  type ObjectStore,
  ObjectPreconditionFailed,
  type ObjectWrite,
  type StoredObject,
} from '../ports/object-store.port.js';

/** The ObjectStore on Cloud Storage. */
export class GcsObjectStore implements ObjectStore {
  constructor(private readonly storage: Storage) {}

  async put({ bucket, path, body, contentType, cacheControl, ifGeneration }: ObjectWrite): Promise<void> {
    try {
      await this.storage
        .bucket(bucket)
        .file(path)
        .save(body, {
          resumable: false,
          contentType,
          metadata: cacheControl ? { cacheControl } : {},
          ...(ifGeneration !== undefined
            ? { preconditionOpts: { ifGenerationMatch: Number(ifGeneration) } }
            : {}),
        });
    } catch (error) {
      if ((error as { code?: number }).code === 412)
        throw new ObjectPreconditionFailed(`gs://${bucket}/${path} changed since generation ${ifGeneration}`);
      throw error;
    }
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
      generation: String(metadata.generation ?? '0'),
    };
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    const [files] = await this.storage.bucket(bucket).getFiles({ prefix });
    return files.map((file) => file.name).sort();
  }
}
