/** The `errors[].reason` Google's JSON APIs give with each status (BigQuery's `bq` reads it). */
const REASON: Readonly<Record<number, string>> = {
  400: 'invalid',
  403: 'accessDenied',
  404: 'notFound',
  409: 'duplicate',
  503: 'backendError',
};

/**
 * Errors in the shape Google's JSON APIs answer with, so gcloud and bq print what they print in
 * production: `bq` tells a missing table from a failure by `errors[0].reason`.
 */
export class GoogleError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }

  body(): unknown {
    const reason = REASON[this.code] ?? 'backendError';
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [{ message: this.message, domain: 'global', reason }],
        status: this.status,
      },
    };
  }
}

export const notFound = (what: string) =>
  new GoogleError(404, 'NOT_FOUND', `Resource not found (resource=${what}).`);
export const alreadyExists = (what: string) =>
  new GoogleError(409, 'ALREADY_EXISTS', `Resource already exists in the project (resource=${what}).`);
export const badRequest = (message: string) => new GoogleError(400, 'INVALID_ARGUMENT', message);
export const permissionDenied = (message: string) => new GoogleError(403, 'PERMISSION_DENIED', message);
export const unavailable = () => new GoogleError(503, 'UNAVAILABLE', 'The service is currently unavailable.');
