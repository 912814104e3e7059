import type { TestProject } from 'vitest/node';
import { type RunningEmulators, startEmulators } from '../../scripts/local/emulators.js';

/**
 * One Pub/Sub and one Firestore emulator for the whole run. Test files keep
 * out of each other's way with their own `demo-` project ids.
 */
let emulators: RunningEmulators | undefined;

export async function setup(project: TestProject) {
  emulators = await startEmulators();
  Object.assign(process.env, emulators.env);
  project.provide('pubsubEmulatorHost', emulators.hosts.pubsub);
  project.provide('firestoreEmulatorHost', emulators.hosts.firestore);
}

export async function teardown() {
  await emulators?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pubsubEmulatorHost: string;
    firestoreEmulatorHost: string;
  }
}
