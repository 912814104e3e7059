import type { IdTokenSource } from '../ports/http-call.port.js';

const METADATA_IDENTITY =
  'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/identity';
/** Google ID tokens live an hour; one is reused until 5 minutes before it expires. */
const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * In Cloud Run: ID tokens of the function's own service account from the
 * metadata server, one per audience, cached until shortly before they expire.
 */
export function metadataIdTokens(now: () => number = Date.now): IdTokenSource {
  const cache = new Map<string, { token: string; expires: number }>();
  return async (audience) => {
    const cached = cache.get(audience);
    if (cached && cached.expires - REFRESH_BEFORE_MS > now()) return cached.token;
    const response = await fetch(`${METADATA_IDENTITY}?audience=${encodeURIComponent(audience)}`, {
      headers: { 'Metadata-Flavor': 'Google' },
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok)
      throw new Error(`no ID token for ${audience} from the metadata server (HTTP ${response.status})`);
    const token = await response.text();
    cache.set(audience, { token, expires: expiryOf(token) ?? now() + 30 * 60_000 });
    return token;
  };
}

function expiryOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
