import { createServer, type Server } from 'node:http';
import { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { plainValue } from '../../../shared/adapters/bigquery.values.js';
import { BigQueryWarehouse } from '../../../shared/adapters/bigquery.warehouse.js';
import { readSettings } from '../../../shared/config/env.js';
import { bigQueryWarehouse } from '../../../shared/runtime/backends/bigquery.js';

/**
 * The BigQuery adapter with the real client, talking to a loopback server
 * that answers `jobs.query` the way the BigQuery API does (schema + rows as
 * strings): so every value reaches the adapter in the client's own classes
 * (big.js for NUMERIC, BigQueryInt, BigQueryDate, BigQueryDatetime,
 * BigQueryTimestamp, parsed JSON).
 */
interface Answer {
  fields: Array<{ name: string; type: string; mode?: string }>;
  rows: unknown[][];
}

const requests: Array<{ url: string; body: Record<string, unknown> }> = [];
let answer: Answer = { fields: [], rows: [] };
let server: Server;
let endpoint = '';
const savedEnv = { ...process.env };

const cell = (value: unknown): unknown =>
  value === null ? { v: null } : Array.isArray(value) ? { v: value.map(cell) } : { v: value };

beforeAll(async () => {
  // The client must not look for a metadata server or credentials: this is loopback only.
  process.env.METADATA_SERVER_DETECTION = 'none';
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      requests.push({ url: request.url ?? '', body: body ? JSON.parse(body) : {} });
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          kind: 'bigquery#queryResponse',
          jobReference: { projectId: 'demo-values', jobId: `job-${requests.length}`, location: 'US' },
          jobComplete: true,
          totalRows: String(answer.rows.length),
          schema: { fields: answer.fields },
          rows: answer.rows.map((row) => ({ f: row.map(cell) })),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  process.env = savedEnv;
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests.length = 0;
});

const warehouse = (location?: string) =>
  new BigQueryWarehouse(new BigQuery({ projectId: 'demo-values', apiEndpoint: endpoint }), location);

describe('values as BigQuery returns them, through the adapter', () => {
  it('NUMERIC errors add up to numbers, not concatenated strings', async () => {
    answer = {
      fields: [
        { name: 'system_id', type: 'STRING' },
        { name: 'absolute_error', type: 'NUMERIC' },
      ],
      rows: [
        ['catboost_v8', '2.5'],
        ['catboost_v8', '1.5'],
      ],
    };
    const rows = await warehouse().query<{ absolute_error: number }>('SELECT 1');
    let sum = 0;
    for (const row of rows) sum += row.absolute_error;
    expect(sum).toBe(4);
    expect(sum / rows.length).toBe(2);
  });

  it('every type comes back as the port promises', async () => {
    answer = {
      fields: [
        { name: 'line', type: 'NUMERIC' },
        { name: 'wide', type: 'BIGNUMERIC' },
        { name: 'points', type: 'INTEGER' },
        { name: 'huge', type: 'INTEGER' },
        { name: 'rate', type: 'FLOAT' },
        { name: 'game_date', type: 'DATE' },
        { name: 'tip_off', type: 'DATETIME' },
        { name: 'processed_at', type: 'TIMESTAMP' },
        { name: 'features', type: 'JSON' },
        { name: 'active', type: 'BOOLEAN' },
        { name: 'missing', type: 'NUMERIC' },
        { name: 'lines', type: 'NUMERIC', mode: 'REPEATED' },
      ],
      rows: [
        [
          '-0.5',
          '12345678901234567890.123456789',
          '42',
          '9007199254740993',
          '0.25',
          '2026-01-18',
          '2026-01-18T19:30:00',
          // the client asks for INT64 microseconds since the epoch
          String(Date.parse('2026-01-18T22:30:00Z') * 1000 + 123),
          '{"points_avg_last_5":21.4,"tags":["a"]}',
          'true',
          null,
          ['20.5', '21.0'],
        ],
      ],
    };
    const [row] = await warehouse().query('SELECT 1');
    expect(row).toEqual({
      line: -0.5,
      wide: '12345678901234567890.123456789',
      points: 42,
      huge: '9007199254740993',
      rate: 0.25,
      game_date: '2026-01-18',
      tip_off: '2026-01-18T19:30:00',
      processed_at: '2026-01-18T22:30:00.000123Z',
      features: { points_avg_last_5: 21.4, tags: ['a'] },
      active: true,
      missing: null,
      lines: [20.5, 21],
    });
  });

  it('the client’s value classes, one by one', () => {
    expect(plainValue(BigQuery.date('2026-01-18'))).toBe('2026-01-18');
    // A civil time stays what it says: 19:30 is not moved by any time zone.
    expect(plainValue(BigQuery.datetime('2026-01-18 19:30:00'))).toBe('2026-01-18T19:30:00');
    expect(plainValue(BigQuery.timestamp(new Date('2026-01-18T22:30:00Z')))).toBe('2026-01-18T22:30:00.000Z');
    expect(plainValue(BigQuery.int('9007199254740993'))).toBe('9007199254740993');
    expect(plainValue(BigQuery.int('-12'))).toBe(-12);
    expect(plainValue(10n ** 20n)).toBe('100000000000000000000');
  });
});

describe('where jobs run', () => {
  it('in the configured job location, never the functions’ region', async () => {
    answer = { fields: [{ name: 'n', type: 'INTEGER' }], rows: [['1']] };
    await warehouse('US').query('SELECT 1');
    await warehouse().query('SELECT 1');
    expect(requests.map((request) => request.body.location)).toEqual(['US', undefined]);
  });

  it('the runtime reads SHOTCLOCK_BIGQUERY_LOCATION; unset, BigQuery routes the job to its datasets', async () => {
    answer = { fields: [{ name: 'n', type: 'INTEGER' }], rows: [['1']] };
    process.env.BIGQUERY_EMULATOR_HOST = endpoint;
    try {
      const base = { GOOGLE_CLOUD_PROJECT: 'demo-values' };
      await (await bigQueryWarehouse(readSettings({ ...base, SHOTCLOCK_BIGQUERY_LOCATION: 'US' }))).query(
        'SELECT 1',
      );
      await (await bigQueryWarehouse(readSettings(base))).query('SELECT 1');
    } finally {
      delete process.env.BIGQUERY_EMULATOR_HOST;
    }
    // The default pipeline's region is us-west2; it is not where the jobs go.
    expect(requests.map((request) => request.body.location)).toEqual(['US', undefined]);
  });

  it('sends named parameters with the types the client infers, NULL as STRING', async () => {
    answer = { fields: [{ name: 'n', type: 'INTEGER' }], rows: [['1']] };
    await warehouse('US').query('SELECT 1', { game_date: '2026-01-18', line: 20, gone: null });
    const parameters = requests[0]!.body.queryParameters as Array<{
      name: string;
      parameterType: { type: string };
    }>;
    expect(Object.fromEntries(parameters.map((p) => [p.name, p.parameterType.type]))).toEqual({
      game_date: 'STRING',
      line: 'INT64',
      gone: 'STRING',
    });
  });
});
