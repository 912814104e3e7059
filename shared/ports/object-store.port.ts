/** Cloud Storage (production) or a local folder laid out as `<bucket>/<path>`. */
export interface ObjectWrite {
  bucket: string;
  path: string;
  body: string;
  contentType: string;
  cacheControl?: string;
  /**
   * Write only if the stored object is still at this generation (`'0'`: only
   * if there is none): Cloud Storage's if-generation-match. A lost race
   * throws `ObjectPreconditionFailed` and writes nothing.
   */
  ifGeneration?: string;
}

/** Another writer changed the object since it was read (HTTP 412 on Cloud Storage). */
export class ObjectPreconditionFailed extends Error {
  override readonly name = 'ObjectPreconditionFailed';
}

export interface StoredObject {
  body: string;
  contentType: string;
  cacheControl?: string;
  /** ISO 8601 time of the last write. */
  updatedAt: string;
  /** changes on every write; pass it back as `ifGeneration` to write only over what was read */
  generation: string;
}

export interface ObjectStore {
  put(object: ObjectWrite): Promise<void>;
  get(bucket: string, path: string): Promise<StoredObject | undefined>;
  list(bucket: string, prefix: string): Promise<string[]>;
}
