import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { BundleStaging } from '../../scripts/bundle-check.js';
import { freshProjectId } from '../support/backends.js';

/** A staging area outside the repository, removed when the file's tests are done. */
export function stagingArea(label: string) {
  const root = mkdtempSync(join(tmpdir(), `shotclock-${label}-`));
  return {
    root,
    staging: new BundleStaging(root),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** What a bundle under test may reach: the emulators only, never a real Google API. */
export function emulatorEnv(): Record<string, string> {
  return {
    GOOGLE_CLOUD_PROJECT: freshProjectId('bundle'),
    PUBSUB_EMULATOR_HOST: inject('pubsubEmulatorHost'),
    FIRESTORE_EMULATOR_HOST: inject('firestoreEmulatorHost'),
    // Never look for a GCE metadata server: that would leave loopback.
    METADATA_SERVER_DETECTION: 'none',
  };
}
