import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../../../shared/adapters/folder.object-store.js';

describe('ObjectStore on a local folder', () => {
  it('lays objects out as <bucket>/<path> with their metadata', async () => {
    const root = await mkdtemp(join(tmpdir(), 'shotclock-objects-'));
    const store = new FolderObjectStore(root, () => new Date('2026-01-18T02:06:00Z'));
    await store.put({
      bucket: 'nba-props-platform-api',
      path: 'v1/live-grading/2026-01-17.json',
      body: '{"game_date":"2026-01-17"}',
      contentType: 'application/json',
      cacheControl: 'public, max-age=30',
    });
    expect(await readFile(join(root, 'nba-props-platform-api/v1/live-grading/2026-01-17.json'), 'utf8')).toBe(
      '{"game_date":"2026-01-17"}',
    );
    expect(await store.get('nba-props-platform-api', 'v1/live-grading/2026-01-17.json')).toEqual({
      body: '{"game_date":"2026-01-17"}',
      contentType: 'application/json',
      cacheControl: 'public, max-age=30',
      updatedAt: '2026-01-18T02:06:00.000Z',
    });
    expect(await store.list('nba-props-platform-api', 'v1/live-grading/')).toEqual([
      'v1/live-grading/2026-01-17.json',
    ]);
    expect(await store.get('nba-props-platform-api', 'v1/live-grading/latest.json')).toBeUndefined();
  });

  it('refuses paths that escape the bucket', async () => {
    const store = new FolderObjectStore(await mkdtemp(join(tmpdir(), 'shotclock-objects-')));
    await expect(
      store.put({ bucket: 'b', path: '../../etc/passwd', body: '', contentType: 'text/plain' }),
    ).rejects.toThrow(/escapes/);
  });
});
