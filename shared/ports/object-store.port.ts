/** Cloud Storage (production) or a local folder laid out as `<bucket>/<path>`. */
export interface ObjectWrite {
  bucket: string;
  path: string;
  body: string;
  contentType: string;
  cacheControl?: string;
}

export interface StoredObject {
  body: string;
  contentType: string;
  cacheControl?: string;
  /** ISO 8601 time of the last write. */
  updatedAt: string;
}

export interface ObjectStore {
  put(object: ObjectWrite): Promise<void>;
  get(bucket: string, path: string): Promise<StoredObject | undefined>;
  list(bucket: string, prefix: string): Promise<string[]>;
}
