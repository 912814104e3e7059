import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Google's ID token issuer on loopback: an RSA key of its own, its public key
 * served where `OAuth2Client.verifyIdToken` reads Google's signing certificates (`{kid: PEM}`),
 * and tokens signed with it, shaped like `gcloud auth print-identity-token`'s.
 */
export interface IdTokenIssuer {
  certsUrl: string;
  token(claims: { aud: string; email: string; email_verified?: boolean; expiresIn?: number }): string;
  /** a token signed by a key the certificates do not list */
  forged(claims: { aud: string; email: string }): string;
  close(): Promise<void>;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startIdTokenIssuer(): Promise<IdTokenIssuer> {
  const kid = 'shotclock-test-key';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' });
    res.end(JSON.stringify({ [kid]: publicKey.export({ type: 'spki', format: 'pem' }) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const signed = (key: typeof privateKey, claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    const { expiresIn = 3600, ...rest } = claims as { expiresIn?: number };
    const body = `${b64url({ alg: 'RS256', kid, typ: 'JWT' })}.${b64url({
      iss: 'https://accounts.google.com',
      iat: now,
      exp: now + expiresIn,
      sub: '1234567890',
      email_verified: true,
      ...rest,
    })}`;
    return `${body}.${sign('sha256', Buffer.from(body), key).toString('base64url')}`;
  };
  return {
    certsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/v1/certs`,
    token: (claims) => signed(privateKey, claims),
    forged: (claims) => signed(stranger, claims),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
