import type { AddressInfo } from 'node:net';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLiveGradingExportHttp } from '../../../functions/liveGradingExport/handler.js';
import type { LiveGradingExport } from '../../../shared/messages/grading-export.js';
import { ProbeAnswer } from '../../../shared/probe/probe-answer.js';
import { probeRequest } from '../../../shared/probe/probe-request.js';
import { generateSlate, loadSlate } from '../../support/slate.js';
import { gradingHarness } from './harness.js';

describe('liveGradingExportHttp on a loopback server', async () => {
  const harness = await gradingHarness('2026-01-19T15:00:00Z');
  functions.http(
    'liveGradingExportHttp',
    makeLiveGradingExportHttp(async () => harness.deps),
  );
  const server = getTestServer('liveGradingExportHttp');
  let base = '';

  beforeAll(async () => {
    await loadSlate(
      harness.warehouse,
      generateSlate({ gameDate: '2026-01-18', seed: 3, games: 3, players: 30 }).tables,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    harness.close();
  });

  it.each([
    { query: '?date=2026-02-30', reason: /not a calendar date/ },
    { query: '?date=18-01-2026', reason: /YYYY-MM-DD/ },
    { query: '?date=2026-01-18%27%20OR%201=1', reason: /YYYY-MM-DD/ },
    { query: '', reason: /expected \?date=YYYY-MM-DD/ },
  ])('answers 400 with the reason for $query', async ({ query, reason }) => {
    const response = await fetch(`${base}${query}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string };
    expect(body.error).toMatch(reason);
    expect(body.error).toMatch(/^date: /);
  });

  it('answers a full probe: its queries (the MERGE included) dry-run, the bucket and topics are there', async () => {
    const response = await fetch(base, { method: 'POST', ...probeRequest('full') });
    expect(response.status).toBe(200);
    const answer = ProbeAnswer.parse(await response.json());
    expect(answer.checks.filter((check) => check.status === 'red')).toEqual([]);
    expect(answer.checks.map((check) => check.check)).toEqual(
      expect.arrayContaining([
        'query:grading',
        'query:save-grading',
        'query:baseline',
        'bucket:nba-props-platform-api',
      ]),
    );
  });

  it('grades and exports the date asked for', async () => {
    const response = await fetch(`${base}?date=2026-01-18`);
    expect(response.status).toBe(200);
    const run = (await response.json()) as { written: string[]; export: LiveGradingExport };
    expect(run.written).toEqual(['v1/live-grading/2026-01-18.json', 'v1/live-grading/latest.json']);
    expect(run.export.game_date).toBe('2026-01-18');
    expect(run.export.systems).toHaveLength(6);
    expect((await harness.readExport('2026-01-18.json'))?.body).toBe(JSON.stringify(run.export));
  });
});
