import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../../shared/adapters/duckdb.warehouse.js';
import type { StateStore } from '../../../shared/ports/state-store.port.js';
import type { Warehouse } from '../../../shared/ports/warehouse.port.js';
import { scheduledGames } from '../../../shared/queries/schedule.js';
import { rememberingStateStore, rememberingWarehouse } from '../../../scripts/local/remembered-reads.js';
import { emulatorStateStore, freshProjectId } from '../../support/backends.js';

/**
 * The replay's warehouse reuses a read while none of its tables was written:
 * whatever the order of reads and writes, every read answers what DuckDB
 * itself answers at that point.
 */
const SCHEDULE = 'nba_raw.nbac_schedule';
const config = { schedule_table: SCHEDULE };
let duckdb: DuckDbWarehouse;
let queries: string[];
let warehouse: Warehouse;

beforeEach(async () => {
  duckdb = await DuckDbWarehouse.open(':memory:');
  queries = [];
  // Counts what reaches DuckDB, so a test can tell a reused read from one that was run.
  const counted: Warehouse = {
    query: (sql, params) => {
      queries.push(sql);
      return duckdb.query(sql, params);
    },
    execute: (sql, params) => duckdb.execute(sql, params),
    insert: (table, rows) => duckdb.insert(table, rows),
    tableExists: (table) => duckdb.tableExists(table),
    dryRun: (sql, params) => duckdb.dryRun(sql, params),
  };
  warehouse = rememberingWarehouse(counted);
  await warehouse.insert(SCHEDULE, [{ game_id: 'g1', game_date: '2026-01-18', game_status: 1 }]);
});
afterEach(() => duckdb.close());

describe('remembered warehouse reads', () => {
  it('a repeated read is answered once by DuckDB, and a write to its table makes the next one ask again', async () => {
    expect((await scheduledGames(warehouse, config, '2026-01-18')).in_progress).toBe(0);
    expect((await scheduledGames(warehouse, config, '2026-01-18')).in_progress).toBe(0);
    expect(queries).toHaveLength(1);

    await warehouse.insert(SCHEDULE, [{ game_id: 'g1', game_date: '2026-01-18', game_status: 2 }]);
    expect(await scheduledGames(warehouse, config, '2026-01-18')).toMatchObject({ games: 1, in_progress: 1 });
    expect(queries).toHaveLength(2);
  });

  it('a write to another table keeps the read; a MERGE into its table does not', async () => {
    await scheduledGames(warehouse, config, '2026-01-18');
    await warehouse.insert('nba_analytics.player_game_summary', [
      { game_date: '2026-01-18', player_lookup: 'a', game_id: 'g1', points: 3 },
    ]);
    await scheduledGames(warehouse, config, '2026-01-18');
    expect(queries).toHaveLength(1);

    await warehouse.execute(
      `MERGE INTO ${SCHEDULE} AS target USING (SELECT 'g1' AS game_id) AS source
       ON target.game_id = source.game_id WHEN MATCHED THEN UPDATE SET game_status = 3`,
    );
    expect(await scheduledGames(warehouse, config, '2026-01-18')).toMatchObject({ final: 1 });
    expect(queries).toHaveLength(2);
  });

  it('a read sent while a write to its table is on its way is not reused after the write', async () => {
    const writing = warehouse.insert(SCHEDULE, [{ game_id: 'g2', game_date: '2026-01-18', game_status: 1 }]);
    const during = scheduledGames(warehouse, config, '2026-01-18');
    await writing;
    expect((await during).games).toBe(2); // DuckDB runs statements in the order they were sent
    expect((await scheduledGames(warehouse, config, '2026-01-18')).games).toBe(2);
    expect(queries).toHaveLength(2);
  });

  it('each caller gets its own rows: changing them changes nothing for the next', async () => {
    const sql = `SELECT game_id FROM ${SCHEDULE}`;
    const [first] = await warehouse.query<{ game_id: string }>(sql);
    first!.game_id = 'changed';
    expect(await warehouse.query(sql)).toEqual([{ game_id: 'g1' }]);
  });
});

describe('remembered state reads (Firestore emulator)', () => {
  const open = () => {
    const emulator = emulatorStateStore(freshProjectId('remembered'));
    const reads: string[] = [];
    const counted: StateStore = {
      ...emulator,
      get: (path) => {
        reads.push(path);
        return emulator.get(path);
      },
      list: (collection, filters, limit) => {
        reads.push(collection);
        return emulator.list(collection, filters, limit);
      },
      merge: (path, fields) => emulator.merge(path, fields),
      delete: (path) => emulator.delete(path),
      transaction: (work) => emulator.transaction(work),
    };
    return { store: rememberingStateStore(counted), reads };
  };
  const pending = [{ field: 'state', op: '==' as const, value: 'pending' }];

  it('a list asked again with nothing written to its collection is not asked of the emulator again', async () => {
    const { store, reads } = open();
    await store.merge('shotclock_outbox/a', { state: 'pending' });
    expect(await store.list('shotclock_outbox', pending)).toHaveLength(1);
    await store.merge('phase3_completion/2026-01-18', { _open: true });
    expect(await store.list('shotclock_outbox', pending)).toHaveLength(1);
    expect(reads).toEqual(['shotclock_outbox']);
  });

  it('a transaction that writes the collection makes the next read ask the emulator', async () => {
    const { store, reads } = open();
    await store.merge('shotclock_outbox/a', { state: 'pending' });
    expect(await store.list('shotclock_outbox', pending)).toHaveLength(1);
    await store.transaction(async (tx) => {
      const entry = await tx.get('shotclock_outbox/a');
      tx.merge('shotclock_outbox/a', { state: entry?.state === 'pending' ? 'sent' : 'pending' });
      tx.create('shotclock_outbox/b', { state: 'pending' });
    });
    expect((await store.list('shotclock_outbox', pending)).map((document) => document.id)).toEqual(['b']);
    expect(await store.get('shotclock_outbox/a')).toEqual({ state: 'sent' });
    expect(reads).toEqual(['shotclock_outbox', 'shotclock_outbox', 'shotclock_outbox/a']);
  });

  it('each caller gets its own document: changing it changes nothing for the next', async () => {
    const { store } = open();
    await store.merge('freshness_gate/2026-01-18', { status: 'BLOCKED' });
    const first = await store.get('freshness_gate/2026-01-18');
    first!.status = 'OPEN';
    expect(await store.get('freshness_gate/2026-01-18')).toEqual({ status: 'BLOCKED' });
  });
});
