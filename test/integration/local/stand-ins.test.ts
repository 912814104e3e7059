import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../shared/adapters/clocks.js';
import { localIdTokens } from '../../../shared/adapters/local.id-token.js';
import { startLocalServices } from '../../../scripts/local/services.js';

/**
 * The local stand-ins for the incumbent's services, over real loopback HTTP, answer as the incumbent's routes
 * read a request: predictions/coordinator/coordinator.py `start_prediction_batch` and
 * data_processors/analytics/main_analytics_service.py `process_date_range` (with `require_auth`).
 */
const clock = new SimulatedClock('2026-01-17T23:30:00Z'); // 18:30 ET on Saturday 2026-01-17
const tokens = localIdTokens();
let services: Awaited<ReturnType<typeof startLocalServices>>;

beforeAll(async () => {
  services = await startLocalServices(clock);
});
afterAll(async () => {
  await services.close();
});

async function post(
  url: string,
  body: unknown,
  options: { audience?: string | null; contentType?: string } = {},
): Promise<{ status: number; answer: Record<string, unknown> }> {
  const audience = options.audience === undefined ? new URL(url).origin : options.audience;
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  if (audience !== null) headers.authorization = `Bearer ${await tokens(audience)}`;
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, answer: (await response.json()) as Record<string, unknown> };
}

describe('the prediction coordinator stand-in (POST /start)', () => {
  const start = () => `${services.prediction_coordinator.url}/start`;

  it('refuses a call without an ID token or with one minted for another service (the invoker check)', async () => {
    expect((await post(start(), { game_date: '2026-01-18' }, { audience: null })).status).toBe(401);
    const wrong = await post(start(), { game_date: '2026-01-18' }, { audience: 'https://elsewhere.example' });
    expect(wrong.status).toBe(401);
    expect(services.prediction_coordinator.startedDates()).toEqual([]);
  });

  it('refuses a game_date that is not YYYY-MM-DD, TODAY or TOMORROW, naming the format', async () => {
    const answer = await post(start(), { game_date: '01/18/2026' });
    expect(answer.status).toBe(400);
    expect(answer.answer.message).toContain("does not match format '%Y-%m-%d'");
  });

  it('starts TOMORROW in ET (the 18:00 job’s date), then answers 409 to the same date while its batch runs', async () => {
    const first = await post(start(), {
      game_date: 'TOMORROW',
      correlation_id: 'corr-1',
      trigger_source: 'freshness_gate',
    });
    expect(first.status).toBe(202);
    expect(first.answer).toMatchObject({
      status: 'started',
      game_date: '2026-01-18',
      correlation_id: 'corr-1',
    });
    const again = await post(start(), { game_date: '2026-01-18' });
    expect(again.status).toBe(409);
    expect(again.answer).toMatchObject({ status: 'already_running' });
  });

  it('reads a body that is not JSON as {} and starts today (ET), as the route’s lenient get_json does', async () => {
    const answer = await post(start(), 'not json', { contentType: 'text/plain' });
    expect(answer.status).toBe(202);
    expect(answer.answer.game_date).toBe('2026-01-17');
    expect(services.prediction_coordinator.startedDates()).toEqual(['2026-01-18', '2026-01-17']);
  });
});

describe('the analytics service stand-in (POST /process-date-range)', () => {
  const range = () => `${services.analytics_service.url}/process-date-range`;

  it('refuses shotclock’s own re-run shape with 400: start_date and end_date are required', async () => {
    const answer = await post(range(), {
      processor_name: 'upcoming_player_game_context',
      game_date: '2026-01-18',
    });
    expect(answer).toEqual({ status: 400, answer: { error: 'start_date and end_date required' } });
  });

  it('refuses a processor that is not one of its class names, listing the ones it knows', async () => {
    const answer = await post(range(), {
      start_date: '2026-01-18',
      end_date: '2026-01-18',
      processors: ['upcoming_player_game_context'],
    });
    expect(answer.status).toBe(400);
    expect(answer.answer.error).toContain('unknown processors: upcoming_player_game_context');
    expect(answer.answer.error).toContain('UpcomingPlayerGameContextProcessor');
  });

  it('runs the one class for the one date; skip_downstream_trigger defaults to backfill_mode', async () => {
    const answer = await post(range(), {
      start_date: '2026-01-18',
      end_date: '2026-01-18',
      processors: ['UpcomingPlayerGameContextProcessor'],
      backfill_mode: false,
      skip_downstream_trigger: false,
    });
    expect(answer.status).toBe(200);
    expect(answer.answer).toMatchObject({
      status: 'completed',
      results: [{ processor: 'UpcomingPlayerGameContextProcessor', status: 'success' }],
    });
    const backfill = await post(range(), {
      start_date: 'YESTERDAY',
      end_date: 'YESTERDAY',
      processors: ['PlayerGameSummaryProcessor'],
      backfill_mode: true,
    });
    expect(backfill.status).toBe(200);
    expect(services.analytics_service.runs).toEqual([
      {
        processor: 'UpcomingPlayerGameContextProcessor',
        start_date: '2026-01-18',
        end_date: '2026-01-18',
        backfill_mode: false,
        skip_downstream_trigger: false,
      },
      {
        processor: 'PlayerGameSummaryProcessor',
        start_date: '2026-01-16',
        end_date: '2026-01-16',
        backfill_mode: true,
        skip_downstream_trigger: true,
      },
    ]);
  });
});
