import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../../../shared/adapters/folder.object-store.js';
import { ObjectPreconditionFailed } from '../../../shared/ports/object-store.port.js';

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
      generation: '1',
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

  it('writes latest.json only over the generation it read (if-generation-match)', async () => {
    const store = new FolderObjectStore(await mkdtemp(join(tmpdir(), 'shotclock-objects-')));
    const write = (body: string, ifGeneration?: string) =>
      store.put({
        bucket: 'b',
        path: 'v1/live-grading/latest.json',
        body,
        contentType: 'application/json',
        ...(ifGeneration !== undefined ? { ifGeneration } : {}),
      });
    await write('{"game_date":"2026-01-17"}', '0');
    await expect(write('{"game_date":"2026-01-16"}', '0')).rejects.toBeInstanceOf(ObjectPreconditionFailed);
    const read = await store.get('b', 'v1/live-grading/latest.json');
    expect(read?.generation).toBe('1');
    // Two writers read generation 1; the first wins, the second is refused and nothing of it is written.
    const outcomes = await Promise.allSettled([
      write('{"game_date":"2026-01-18"}', read!.generation),
      write('{"game_date":"2026-01-17","stale":true}', read!.generation),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const after = await store.get('b', 'v1/live-grading/latest.json');
    expect(after?.generation).toBe('2');
    expect(await store.list('b', 'v1/')).toEqual(['v1/live-grading/latest.json']);
  });
});
