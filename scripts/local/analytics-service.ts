import { resolveGameDate } from '../../shared/domain/calendar.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import { isCalendarDate, type RouteRequest, ServiceStandIn, type StandInAnswer } from './service-stand-in.js';

const INCUMBENT_ZONE = 'America/New_York';

/** The class names the analytics service's `process_date_range` maps to processors. */
export const ANALYTICS_PROCESSOR_CLASSES = [
  'PlayerGameSummaryProcessor',
  'TeamOffenseGameSummaryProcessor',
  'TeamDefenseGameSummaryProcessor',
  'UpcomingPlayerGameContextProcessor',
  'UpcomingTeamGameContextProcessor',
] as const;

/** One processor run the stand-in was asked for. */
export interface AnalyticsRun {
  processor: string;
  start_date: string;
  end_date: string;
  backfill_mode: boolean;
  skip_downstream_trigger: boolean;
}

/**
 * The analytics service's `POST /process-date-range` as its route reads a
 * request (`process_date_range` and its `require_auth`): a bearer token longer
 * than 50 characters, a JSON body, `start_date` and `end_date` required
 * (YYYY-MM-DD or TODAY / YESTERDAY / TOMORROW in ET), `processors` a list of
 * class names (empty: all five), `backfill_mode` default false,
 * `skip_downstream_trigger` defaulting to `backfill_mode`. It answers 200
 * `completed` with one result per processor.
 *
 * On purpose stricter than the real route: an unknown class name or a date
 * that is not a date is 400 here, where the real service silently drops the
 * name (and runs nothing) or fails later, so a wrong request fails loudly.
 */
export class AnalyticsServiceStandIn extends ServiceStandIn {
  readonly runs: AnalyticsRun[] = [];

  constructor(clock: Clock) {
    super('analytics-service', { '/process-date-range': (request) => this.processDateRange(request) }, clock);
  }

  private processDateRange(request: RouteRequest): StandInAnswer {
    const token = request.authorization.slice('Bearer '.length);
    if (token.length <= 50) return { status: 401, body: { error: 'Unauthorized' } };
    if (!request.contentType.includes('application/json') || !isObject(request.body))
      return { status: 400, body: { error: 'expected a JSON object body (Content-Type: application/json)' } };
    const body = request.body as Record<string, unknown>;
    if (!body.start_date || !body.end_date)
      return { status: 400, body: { error: 'start_date and end_date required' } };
    const start = resolveDate(body.start_date, request.now);
    const end = resolveDate(body.end_date, request.now);
    if (!start || !end)
      return {
        status: 400,
        body: {
          error: `dates must be YYYY-MM-DD, TODAY, YESTERDAY or TOMORROW (got ${body.start_date}, ${body.end_date})`,
        },
      };
    const names = body.processors ?? [];
    if (!Array.isArray(names) || names.some((name) => typeof name !== 'string'))
      return { status: 400, body: { error: 'processors must be a list of class names' } };
    const unknown = names.filter(
      (name) => !(ANALYTICS_PROCESSOR_CLASSES as readonly string[]).includes(name),
    );
    if (unknown.length > 0)
      return {
        status: 400,
        body: {
          error: `unknown processors: ${unknown.join(', ')} (known: ${ANALYTICS_PROCESSOR_CLASSES.join(', ')})`,
        },
      };
    const backfill = body.backfill_mode === true;
    const skipDownstream =
      typeof body.skip_downstream_trigger === 'boolean' ? body.skip_downstream_trigger : backfill;
    const processors = names.length > 0 ? (names as string[]) : [...ANALYTICS_PROCESSOR_CLASSES];
    for (const processor of processors)
      this.runs.push({
        processor,
        start_date: start,
        end_date: end,
        backfill_mode: backfill,
        skip_downstream_trigger: skipDownstream,
      });
    return {
      status: 200,
      body: {
        status: 'completed',
        date_range: `${start} to ${end}`,
        results: processors.map((processor) => ({ processor, status: 'success' })),
      },
    };
  }
}

function resolveDate(value: unknown, now: Date): string | undefined {
  if (value === 'TODAY' || value === 'YESTERDAY' || value === 'TOMORROW')
    return resolveGameDate(value, now, INCUMBENT_ZONE);
  return isCalendarDate(value) ? value : undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
