import type { StateStore, StateTransaction } from '../../shared/ports/state-store.port.js';
import type { SqlParameter, Warehouse, WarehouseRow } from '../../shared/ports/warehouse.port.js';

/**
 * Which reads are still good: a count of writes per name (a table, a
 * collection), taken when a write is sent and again when it is done, so a
 * read sent in between is not reused once the write has landed.
 */
class WriteCounts {
  private readonly counts = new Map<string, number>();

  /** What a read of these names is valid for (`*`: writes to names unknown). */
  stamp(names: readonly string[]): string {
    return [...names, '*'].map((name) => `${name}:${this.counts.get(name) ?? 0}`).join(',');
  }

  wrote(names: readonly string[]): void {
    for (const name of names.length ? names : ['*']) this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  async writing<T>(names: readonly string[], work: () => Promise<T>): Promise<T> {
    this.wrote(names);
    try {
      return await work();
    } finally {
      this.wrote(names);
    }
  }
}

/** Reads by key, each good for one stamp; every asker gets its own copy of the answer. */
class Remembered {
  private readonly answers = new Map<string, { stamp: string; answer: Promise<unknown> }>();

  async read<T>(key: string, stamp: string, ask: () => Promise<T>): Promise<T> {
    let entry = this.answers.get(key);
    if (entry?.stamp !== stamp) {
      const answer = ask();
      const asked = { stamp, answer };
      entry = asked;
      this.answers.set(key, asked);
      // A failed read is not remembered: the next asker asks again.
      answer.catch(() => {
        if (this.answers.get(key) === asked) this.answers.delete(key);
      });
    }
    // A caller may change what it was given.
    return structuredClone(await entry.answer) as T;
  }
}

/**
 * The local warehouse answering a read again from memory while no table it
 * names has been written since: only for a stack whose every writer goes
 * through this object (a replay: the scenario's inserts and the functions'
 * MERGEs). The functions still send every query; what they get back is what
 * DuckDB would answer, because DuckDB runs the statements one at a time in
 * the order they were sent and a read is reused only while no write to its
 * tables was sent after it. On the 2026-01-18 day most reads repeat unchanged
 * tick after tick (the schedule of three dates, the prediction volume, the
 * grading query between box-score updates), and DuckDB's one connection was
 * the queue every function's tick waited in.
 */
export function rememberingWarehouse(inner: Warehouse): Warehouse {
  const writes = new WriteCounts();
  const remembered = new Remembered();
  const query = <Row extends WarehouseRow = WarehouseRow>(
    sql: string,
    params: Record<string, SqlParameter> = {},
  ): Promise<Row[]> => {
    if (!isRead(sql)) return writes.writing(writtenTables(sql), () => inner.query<Row>(sql, params));
    const key = `${sql}\u0000${JSON.stringify(params, (_, value) => (value instanceof Date ? value.toISOString() : value))}`;
    return remembered.read(key, writes.stamp(namedTables(sql)), () => inner.query<Row>(sql, params));
  };
  return {
    query,
    execute: (sql, params) => writes.writing(writtenTables(sql), () => inner.execute(sql, params)),
    insert: (table, rows) => writes.writing([table.toLowerCase()], () => inner.insert(table, rows)),
    tableExists: (table) => inner.tableExists(table),
    dryRun: (sql, params) => inner.dryRun(sql, params),
    ...(inner.columns ? { columns: inner.columns.bind(inner) } : {}),
  };
}

/**
 * The same for the state store (the Firestore emulator), by top-level
 * collection: a get or a list outside a transaction is answered again while
 * nothing was written to its collection since. Every tick lists the outbox,
 * the record-count checks and the phase documents, which change a few times
 * a day. Transactions read from the emulator as always; what they write
 * counts as a write from the first `merge` until they are done.
 */
export function rememberingStateStore(inner: StateStore): StateStore {
  const writes = new WriteCounts();
  const remembered = new Remembered();
  const collectionOf = (path: string) => [path.split('/')[0]!];
  return {
    get: (path) =>
      remembered.read(`get\u0000${path}`, writes.stamp(collectionOf(path)), () => inner.get(path)),
    list: (collection, filters, limit) =>
      remembered.read(
        `list\u0000${collection}\u0000${JSON.stringify(filters ?? [])}\u0000${limit ?? ''}`,
        writes.stamp(collectionOf(collection)),
        () => inner.list(collection, filters, limit),
      ),
    merge: (path, fields) => writes.writing(collectionOf(path), () => inner.merge(path, fields)),
    delete: (path) => writes.writing(collectionOf(path), () => inner.delete(path)),
    transaction: async (work) => {
      const written = new Set<string>();
      try {
        return await inner.transaction((tx) => {
          const wrote = (path: string) => {
            written.add(collectionOf(path)[0]!);
            writes.wrote(collectionOf(path));
          };
          const counted: StateTransaction = {
            get: (path) => tx.get(path),
            merge: (path, fields) => {
              wrote(path);
              tx.merge(path, fields);
            },
            create: (path, data) => {
              wrote(path);
              tx.create(path, data);
            },
            delete: (path) => {
              wrote(path);
              tx.delete(path);
            },
          };
          return work(counted);
        });
      } finally {
        if (written.size) writes.wrote([...written]);
      }
    },
  };
}

/** A plain SELECT (or WITH ... SELECT) that changes nothing. */
function isRead(sql: string): boolean {
  return (
    /^\s*(SELECT|WITH)\b/i.test(sql) &&
    !/\b(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|COPY|ATTACH|DETACH|SET|PRAGMA|CHECKPOINT|CALL)\b/i.test(
      sql,
    )
  );
}

/**
 * Every `dataset.table` a statement names (`tableName` is the only way a
 * table enters shotclock's SQL). Column references like `t.game_date` are
 * caught too: more names than tables only means fewer reads reused.
 */
function namedTables(sql: string): string[] {
  return [
    ...new Set(
      [...sql.matchAll(/\b([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\b/gi)].map((m) => m[1]!.toLowerCase()),
    ),
  ];
}

/** The one table a MERGE, INSERT, UPDATE or DELETE writes; none known (every read forgotten) otherwise. */
function writtenTables(sql: string): string[] {
  const target =
    /^\s*(?:MERGE\s+INTO|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\b/i.exec(
      sql,
    );
  return target ? [target[1]!.toLowerCase()] : [];
}
