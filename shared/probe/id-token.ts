const METADATA_IDENTITY =
  'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/identity';

/**
 * In Cloud Run: an ID token for the function's own service account, with the
 * called function's URL as audience, so the probe passes its invoker check.
 */
export async function metadataIdToken(url: string): Promise<Record<string, string>> {
  const audience = new URL(url).origin + new URL(url).pathname;
  const response = await fetch(`${METADATA_IDENTITY}?audience=${encodeURIComponent(audience)}`, {
    headers: { 'Metadata-Flavor': 'Google' },
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`no ID token from the metadata server (HTTP ${response.status})`);
  return { authorization: `Bearer ${await response.text()}` };
}
