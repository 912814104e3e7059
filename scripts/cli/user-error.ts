import { ConfigError } from '../../shared/config/load.js';
import { ScenarioError } from '../replay/scenario.js';

/**
 * A mistake the person at the terminal can fix (a bad option, a missing file, a bad config): the
 * CLI prints its message as one line and exits 2, without a stack trace.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** The one line a user error is shown as; undefined when the error is not the user's (a bug, an outage). */
export function userErrorLine(error: unknown): string | undefined {
  if (error instanceof ConfigError) return error.oneLine();
  if (error instanceof ScenarioError)
    return `scenario ${error.source} is not valid: ${error.problems.join('; ')}`;
  if (error instanceof UserError) return error.message;
  return undefined;
}
