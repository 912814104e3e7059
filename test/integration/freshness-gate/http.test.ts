import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeFreshnessGateHttp } from '../../../functions/freshnessGate/handler.js';
import { overrideRightsFromEnv } from '../../../functions/freshnessGate/http-request.js';
import { type IdTokenIssuer, startIdTokenIssuer } from '../../support/id-tokens.js';
import {
  type GateHarness,
  gateHarness,
  goodDay,
  PLAYER_CONTEXT,
  playerContextRows,
  scheduleGames,
} from './harness.js';

const GAME_DATE = '2026-01-18';

let issuer: IdTokenIssuer;
beforeAll(async () => {
  issuer = await startIdTokenIssuer();
});
afterAll(async () => {
  await issuer?.close();
});
const asCaller = (url: string, email: string) => ({
  authorization: `Bearer ${issuer.token({ aud: url, email })}`,
  'content-type': 'application/json',
});

/** The HTTP target behind the functions framework's own server, on a loopback port. */
async function serve(gate: GateHarness): Promise<{ url: string; server: Server }> {
  const name = `freshnessGateHttp_${gate.projectId.replaceAll('-', '_')}`;
  functions.http(
    name,
    makeFreshnessGateHttp(
      async () => gate.deps,
      overrideRightsFromEnv({
        SHOTCLOCK_GATE_OVERRIDERS: 'ops@example.com, @oncall.example.com',
        SHOTCLOCK_ID_TOKEN_CERTS_URL: issuer.certsUrl,
      }),
    ),
  );
  const server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('freshness gate over HTTP', () => {
  let gate: GateHarness;
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await gate?.close();
  });

  it('refuses a bad date or an unknown table with 400 and the reason', async () => {
    gate = await gateHarness('2026-01-17T17:45:00-05:00');
    const http = await serve(gate);
    server = http.server;
    const cases = [
      { query: '', says: /date is required/ },
      { query: '?date=2026-02-30', says: /not a calendar date/ },
      { query: '?date=next-week', says: /expected a date as YYYY-MM-DD/ },
      { query: '?date=TOMORROW&table=nba_raw.nope', says: /unknown table "nba_raw.nope": the gate checks/ },
    ];
    for (const { query, says } of cases) {
      const response = await fetch(`${http.url}/${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(says);
    }
    const override = await fetch(`${http.url}/override`, {
      method: 'POST',
      headers: asCaller(http.url, 'ops@example.com'),
      body: JSON.stringify({ date: GAME_DATE }),
    });
    expect(override.status).toBe(400);
    expect(((await override.json()) as { error: string }).error).toMatch(/reason: /);
  });

  it('checks TOMORROW on demand without storing, and an override opens the blocked date once', async () => {
    gate = await gateHarness('2026-01-17T17:45:00-05:00');
    await scheduleGames(gate.duckdb, GAME_DATE, 6);
    await gate.duckdb.insert(
      PLAYER_CONTEXT,
      playerContextRows(GAME_DATE, {
        players: 1,
        games: 6,
        withLines: 0,
        processedAt: '2026-01-17T22:01:40Z',
      }),
    );
    const http = await serve(gate);
    server = http.server;

    const check = await fetch(`${http.url}/?date=tomorrow&table=${PLAYER_CONTEXT}`);
    expect(check.status).toBe(200);
    const report = (await check.json()) as {
      game_date: string;
      status: string;
      reasons: string[];
      stored: unknown;
    };
    expect(report).toMatchObject({ game_date: GAME_DATE, status: 'BLOCKED', stored: null });
    expect(report.reasons.join('\n')).toMatch(/1 of 156 expected rows/);
    expect(await gate.gate(GAME_DATE)).toBeUndefined();

    await gate.gateJob();
    expect((await gate.gate(GAME_DATE))?.status).toBe('BLOCKED');

    gate.clock.set('2026-01-17T18:10:00-05:00');
    // The body's recorded_by and the IAP-style header are not who the caller is: the ID token is.
    const body = {
      date: GAME_DATE,
      reason: 'lines confirmed by hand with the book',
      recorded_by: 'someone-else@example.com',
    };
    const post = (headers: Record<string, string>) =>
      fetch(`${http.url}/override`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const refused: Array<{ headers: Record<string, string>; status: number }> = [
      { headers: { 'x-goog-authenticated-user-email': 'accounts.google.com:ops@example.com' }, status: 401 },
      {
        headers: { authorization: `Bearer ${issuer.forged({ aud: http.url, email: 'ops@example.com' })}` },
        status: 401,
      },
      {
        headers: {
          authorization: `Bearer ${issuer.token({ aud: 'https://other.example.test', email: 'ops@example.com' })}`,
        },
        status: 401,
      },
      {
        headers: {
          authorization: `Bearer ${issuer.token({ aud: http.url, email: 'ops@example.com', expiresIn: -600 })}`,
        },
        status: 401,
      },
      // may call the function (check), may not override
      { headers: asCaller(http.url, 'analyst@example.com'), status: 403 },
    ];
    for (const { headers, status } of refused) {
      const answer = await post(headers);
      expect(answer.status, JSON.stringify(headers)).toBe(status);
    }
    expect((await gate.gate(GAME_DATE))?.status).toBe('BLOCKED');
    const opened = await post(asCaller(http.url, 'ops@example.com'));
    expect(opened.status).toBe(200);
    expect(await opened.json()).toMatchObject({
      status: 'OPEN',
      override: { recorded_by: 'ops@example.com', overridden_status: 'BLOCKED' },
    });
    const again = await post(asCaller(http.url, 'lead@oncall.example.com'));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toMatch(/already OPEN .*triggered once/);

    const triggers = await gate.triggers.settle(1);
    expect(triggers).toHaveLength(1);
    expect(triggers[0]!.data).toMatchObject({
      game_date: GAME_DATE,
      gate_decision: 'OPEN',
      override: { reason: 'lines confirmed by hand with the book', recorded_by: 'ops@example.com' },
    });
    expect(String((triggers[0]!.data.reasons as string[])[0])).toMatch(/opened by manual override/);
    const stored = await gate.gate(GAME_DATE);
    expect(stored).toMatchObject({ status: 'OPEN', _triggered: true, opened: { source: 'override' } });
    expect(stored?.override?.overridden_reasons.join('\n')).toMatch(/1 of 156 expected rows/);
  });

  it('refuses to override a date without games', async () => {
    gate = await gateHarness('2026-01-17T17:45:00-05:00');
    await goodDay(gate.duckdb, '2026-01-17', 6, '2026-01-17T20:00:00Z');
    const http = await serve(gate);
    server = http.server;
    const response = await fetch(`${http.url}/override`, {
      method: 'POST',
      headers: asCaller(http.url, 'ops@example.com'),
      body: JSON.stringify({ date: GAME_DATE, reason: 'try anyway' }),
    });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: string }).error).toMatch(
      /is SKIPPED, not BLOCKED: no games scheduled/,
    );
    expect(await gate.triggers.settle(0, 0, 1000)).toHaveLength(0);
  });
});
