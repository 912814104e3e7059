/** Errors in the shape Google's JSON APIs answer with, so gcloud prints what it prints in production. */
export class GoogleError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }

  body(): unknown {
    return { error: { code: this.code, message: this.message, status: this.status } };
  }
}

export const notFound = (what: string) =>
  new GoogleError(404, 'NOT_FOUND', `Resource not found (resource=${what}).`);
export const alreadyExists = (what: string) =>
  new GoogleError(409, 'ALREADY_EXISTS', `Resource already exists in the project (resource=${what}).`);
export const badRequest = (message: string) => new GoogleError(400, 'INVALID_ARGUMENT', message);
export const permissionDenied = (message: string) => new GoogleError(403, 'PERMISSION_DENIED', message);
export const unavailable = () => new GoogleError(503, 'UNAVAILABLE', 'The service is currently unavailable.');
