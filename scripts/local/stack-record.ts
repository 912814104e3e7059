import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/** Where `shotclock local up` keeps its data (DuckDB, exports, logs) and its record, unless `--data` says. */
export const DEFAULT_LOCAL_DATA = '.shotclock/local';

/**
 * What `local up` writes to `<data>/stack.json` while it runs, so other commands (`probe`,
 * `local publish`, `local down`) find the stack: its process, project, function URLs, emulator
 * hosts and process groups, and the pipeline config override it was started with.
 */
export const StackRecord = z.strictObject({
  pid: z.number().int().positive(),
  projectId: z.string().min(1),
  urls: z.record(z.string(), z.string()),
  /** FIRESTORE_EMULATOR_HOST, PUBSUB_EMULATOR_HOST, GOOGLE_CLOUD_PROJECT for the user's own processes */
  env: z.record(z.string(), z.string()),
  dataDir: z.string(),
  /** process groups of the emulators the stack started: `local down` stops them if the stack died */
  emulatorPids: z.array(z.number().int().positive()).default([]),
  /** the user's config override (SHOTCLOCK_CONFIG / the file), merged over the default like at start */
  override: z.unknown().default({}),
});
export type StackRecord = z.infer<typeof StackRecord>;

/** The local stack as other commands find it. */
export type LocalStackState =
  | { state: 'none'; file: string }
  | { state: 'running'; file: string; record: StackRecord }
  /** started, and its process is gone without `local down` (killed, crashed, the machine restarted) */
  | { state: 'down'; file: string; record: StackRecord };

export function stackRecordFile(dataDir: string): string {
  return resolve(dataDir, 'stack.json');
}

export function writeStackRecord(record: StackRecord): void {
  writeFileSync(stackRecordFile(record.dataDir), `${JSON.stringify(record, null, 2)}\n`);
}

export function removeStackRecord(dataDir: string): void {
  rmSync(stackRecordFile(dataDir), { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function findLocalStack(dataDir: string = DEFAULT_LOCAL_DATA): LocalStackState {
  const file = stackRecordFile(dataDir);
  if (!existsSync(file)) return { state: 'none', file };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // A record cut short (the stack died while writing it) tells nothing: no usable stack.
    return { state: 'none', file };
  }
  const parsed = StackRecord.safeParse(json);
  if (!parsed.success) return { state: 'none', file };
  const record = parsed.data;
  return { state: processAlive(record.pid) ? 'running' : 'down', file, record };
}

/** How a user names the stack in one line. */
export function describeStack(record: StackRecord): string {
  return `the local stack of pid ${record.pid} (project ${record.projectId}, data ${record.dataDir})`;
}

/** Whether an emulator still answers on `host` (`127.0.0.1:<port>`); a stopped one refuses at once. */
export async function emulatorAnswers(host: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The Google clients talking to a local stack's emulators must not look for a GCE metadata
 * server (there is none locally; looking costs seconds and prints a warning).
 */
export function onEmulatorsOnly(): void {
  process.env.METADATA_SERVER_DETECTION = 'none';
}
