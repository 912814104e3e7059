import type { IdTokenSource } from '../ports/http-call.port.js';

/**
 * The local stack's ID tokens: JWTs shaped like Google's (`aud`, `iss`,
 * `email`, `exp`) but unsigned, so the local stand-ins can check the audience
 * the way Cloud Run's invoker check does. Nothing outside loopback accepts them.
 */
export function localIdTokens(
  serviceAccount = 'shotclock-local@localhost',
  now: () => number = Date.now,
): IdTokenSource {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return async (audience) => {
    const issued = Math.floor(now() / 1000);
    return [
      part({ alg: 'none', typ: 'JWT' }),
      part({ iss: 'shotclock-local', aud: audience, email: serviceAccount, iat: issued, exp: issued + 3600 }),
      '',
    ].join('.');
  };
}

/** The claims of a token minted above (or any JWT), unchecked. */
export function tokenClaims(token: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
