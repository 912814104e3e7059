import type { HttpFunction } from '@google-cloud/functions-framework';
import type { Clock } from '../../shared/ports/clock.port.js';

/** Liveness: answers with the function's name and the time, touching no backend. */
export function makeHealthHandler(clock: Clock): HttpFunction {
  return (_request, response) => {
    response.status(200).json({ status: 'ok', function: 'health', checked_at: clock.now().toISOString() });
  };
}
