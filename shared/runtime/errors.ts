/**
 * Permanent: retrying cannot help (bad input, a business rejection). The
 * message is logged, dead-lettered with the reason, and acked.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

const TRANSIENT_GRPC_CODES = new Set([4, 8, 10, 13, 14]); // DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE
const TRANSIENT_NODE_CODES = new Set(['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN']);

/** Transient: the same call may succeed later, so the event is thrown back for redelivery. */
export function isTransient(error: unknown): boolean {
  if (error instanceof PermanentError) return false;
  if (typeof error !== 'object' || error === null) return false;
  const { code, status } = error as { code?: unknown; status?: unknown };
  if (typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code)) return true;
  if (typeof code === 'string' && TRANSIENT_NODE_CODES.has(code)) return true;
  const httpStatus = typeof status === 'number' ? status : typeof code === 'number' ? code : undefined;
  return httpStatus !== undefined && (httpStatus === 429 || (httpStatus >= 500 && httpStatus < 600));
}
