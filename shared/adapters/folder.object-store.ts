import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  type ObjectStore,
  ObjectPreconditionFailed,
  type ObjectWrite,
  type StoredObject,
} from '../ports/object-store.port.js';

interface ObjectMetadata {
  contentType: string;
  cacheControl?: string;
  updatedAt: string;
  generation?: number;
}

const LOCK_TRIES = 50;

/**
 * Cloud Storage stand-in: `<root>/<bucket>/<path>`, with the object's metadata
 * beside it in `<path>.meta.json`. Writes go through a rename, so a reader
 * never sees half an object.
 */
export class FolderObjectStore implements ObjectStore {
  constructor(
    private readonly root: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private file(bucket: string, path: string): string {
    const base = resolve(this.root, bucket);
    const target = resolve(base, path);
    if (!target.startsWith(base + sep)) throw new Error(`object path escapes its bucket: ${path}`);
    return target;
  }

  /**
   * Writes under an exclusive lock file, so the generation check and the write
   * are one step for every writer of this folder (Cloud Storage's
   * if-generation-match, here).
   */
  async put(object: ObjectWrite): Promise<void> {
    const target = this.file(object.bucket, object.path);
    await mkdir(dirname(target), { recursive: true });
    const lock = `${target}.lock`;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await (await open(lock, 'wx')).close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= LOCK_TRIES) throw error;
        await new Promise((wait) => setTimeout(wait, 10));
      }
    }
    try {
      await this.write(target, object);
    } finally {
      await rm(lock, { force: true });
    }
  }

  private async write(
    target: string,
    { bucket, path, body, contentType, cacheControl, ifGeneration }: ObjectWrite,
  ) {
    const stored = await this.get(bucket, path);
    const current = stored?.generation ?? '0';
    if (ifGeneration !== undefined && ifGeneration !== current)
      throw new ObjectPreconditionFailed(
        `${bucket}/${path} is at generation ${current}, not ${ifGeneration}`,
      );
    const metadata: ObjectMetadata = {
      contentType,
      updatedAt: this.now().toISOString(),
      generation: Number(current) + 1,
    };
    if (cacheControl) metadata.cacheControl = cacheControl;
    const suffix = `.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(target + suffix, body);
    await writeFile(`${target}.meta.json${suffix}`, JSON.stringify(metadata));
    await rename(target + suffix, target);
    await rename(`${target}.meta.json${suffix}`, `${target}.meta.json`);
  }

  async get(bucket: string, path: string): Promise<StoredObject | undefined> {
    const target = this.file(bucket, path);
    try {
      const [body, metadataText] = await Promise.all([
        readFile(target, 'utf8'),
        readFile(`${target}.meta.json`, 'utf8').catch(() => undefined),
      ]);
      const metadata: Partial<ObjectMetadata> = metadataText ? JSON.parse(metadataText) : {};
      return {
        body,
        contentType: metadata.contentType ?? 'application/octet-stream',
        ...(metadata.cacheControl ? { cacheControl: metadata.cacheControl } : {}),
        updatedAt: metadata.updatedAt ?? (await stat(target)).mtime.toISOString(),
        generation: String(metadata.generation ?? 1),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    const base = resolve(this.root, bucket);
    const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries
      .filter(
        (entry) =>
          entry.isFile() &&
          !entry.name.endsWith('.meta.json') &&
          !entry.name.endsWith('.tmp') &&
          !entry.name.endsWith('.lock'),
      )
      .map((entry) => relative(base, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .filter((path) => path.startsWith(prefix))
      .sort();
  }
}
