import { resolveGameDate } from '../../shared/domain/calendar.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import { isCalendarDate, type RouteRequest, ServiceStandIn, type StandInAnswer } from './service-stand-in.js';

const INCUMBENT_ZONE = 'America/New_York';

/**
 * The prediction coordinator's `POST /start` as its route reads a request
 * (`start_prediction_batch`): the body is read leniently (anything not JSON
 * counts as `{}`), `game_date` is YYYY-MM-DD, TODAY or TOMORROW (ET) and
 * defaults to today, `correlation_id` and `trigger_source` are optional.
 * It answers 202 `started` with a batch id, and 409 `already_running` while a
 * batch for that date exists (here: once a date was started, for good).
 *
 * On purpose stricter than the real route in one place: a `game_date` that is
 * not a date is 400 here, where the real route fails with 500 from an
 * uncaught ValueError.
 */
export class PredictionCoordinatorStandIn extends ServiceStandIn {
  private readonly batches = new Map<string, string>();

  constructor(clock: Clock) {
    super('prediction-coordinator', { '/start': (request) => this.startBatch(request) }, clock);
  }

  /** Dates a batch was started for, in order. */
  startedDates(): string[] {
    return [...this.batches.keys()];
  }

  private startBatch(request: RouteRequest): StandInAnswer {
    const body = (isObject(request.body) ? request.body : {}) as Record<string, unknown>;
    const requested = body.game_date;
    let gameDate: string;
    if (requested === undefined || requested === null || requested === '')
      gameDate = resolveGameDate('TODAY', request.now, INCUMBENT_ZONE);
    else if (requested === 'TODAY' || requested === 'TOMORROW')
      gameDate = resolveGameDate(requested, request.now, INCUMBENT_ZONE);
    else if (isCalendarDate(requested)) gameDate = requested;
    else
      return {
        status: 400,
        body: {
          status: 'error',
          message: `time data ${JSON.stringify(requested)} does not match format '%Y-%m-%d'`,
        },
      };
    const running = this.batches.get(gameDate);
    if (running)
      return {
        status: 409,
        body: { status: 'already_running', batch_id: running, message: 'Batch already in progress' },
      };
    const batchId = `batch_${gameDate}_${Math.floor(request.now.getTime() / 1000)}`;
    this.batches.set(gameDate, batchId);
    return {
      status: 202,
      body: {
        status: 'started',
        batch_id: batchId,
        game_date: gameDate,
        correlation_id: typeof body.correlation_id === 'string' ? body.correlation_id : null,
        monitor_url: `/status?batch_id=${batchId}`,
      },
    };
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
