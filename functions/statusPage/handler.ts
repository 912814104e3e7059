import type { HttpFunction } from '@google-cloud/functions-framework';
import type { Logger } from '../../shared/logging/logger.js';
import { type StatusReadDependencies, readStatusSnapshot } from './read-status.js';
import { renderStatusHtml } from './render-html.js';
import { parseStatusRequest } from './request.js';

export const FUNCTION_NAME = 'statusPage';

export type StatusPageDependencies = StatusReadDependencies & { logger: Logger };

/**
 * GET `?date=&days=&format=`: the status of a date and the days before it,
 * as HTML (default) or JSON. Bad parameters: 400 `{ error }`. Deployed
 * without public access: IAM decides who may call it.
 */
export function makeStatusPageHttp(dependencies: () => Promise<StatusPageDependencies>): HttpFunction {
  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .status(405)
        .set('allow', 'GET, HEAD')
        .json({ error: `method ${request.method} not allowed` });
      return;
    }
    const deps = await dependencies();
    const parsed = parseStatusRequest(request.query, deps.clock.now(), deps.config.project.time_zone);
    if (!parsed.ok) {
      response.status(400).json({ error: parsed.reason });
      return;
    }
    const { date, days, format } = parsed.request;
    try {
      const snapshot = await readStatusSnapshot(deps, date, days);
      response.set('cache-control', 'private, no-store');
      if (format === 'json') {
        response.status(200).json(snapshot);
        return;
      }
      const html = await renderStatusHtml(snapshot, {
        gradingFloor: deps.config.alerts.thresholds.grading_accuracy_below,
        links: true,
      });
      response.status(200).type('html').send(html);
    } catch (error) {
      deps.logger.error('status page failed', { game_date: date, error: (error as Error).message });
      response.status(500).json({ error: 'the status page could not be built; see the function logs' });
    }
  };
}
