import type { Bus, OutgoingMessage } from '../../shared/ports/bus.port.js';
import type { Clock } from '../../shared/ports/clock.port.js';
import type { HttpCall, HttpCaller } from '../../shared/ports/http-call.port.js';
import type { ObjectStore, ObjectWrite } from '../../shared/ports/object-store.port.js';
import type { StateStore } from '../../shared/ports/state-store.port.js';

/** What the replay report lists: every accepted publish and every export, on the simulated clock. */
export interface PublishedRecord {
  at: string;
  topic: string;
  data: unknown;
  attributes: Record<string, string>;
  message_id: string;
}

export interface ExportRecord {
  at: string;
  bucket: string;
  path: string;
  body: unknown;
  cache_control?: string;
}

/** One outbound HTTP request to a pipeline service; `status` null when no answer came (timeout, refused). */
export interface CallRecord {
  at: string;
  target: string;
  method: string;
  url: string;
  body: unknown;
  status: number | null;
  idempotency_key?: string;
  error?: string;
}

export class Recorder {
  readonly published: PublishedRecord[] = [];
  readonly exports: ExportRecord[] = [];
  readonly calls: CallRecord[] = [];
}

/** Faults a scenario injects, consumed as they fire. */
export class FaultPlan {
  private readonly publishFailures = new Map<string, number>();
  private readonly crashes = new Map<string, number>();
  private readonly outages: Array<{ from: number; to: number }> = [];

  failPublishes(topic: string, times: number) {
    this.publishFailures.set(topic, (this.publishFailures.get(topic) ?? 0) + times);
  }
  crashFunction(name: string, times: number) {
    this.crashes.set(name, (this.crashes.get(name) ?? 0) + times);
  }
  stateOutage(from: Date, minutes: number) {
    this.outages.push({ from: from.getTime(), to: from.getTime() + minutes * 60_000 });
  }

  takePublishFailure(topic: string): boolean {
    const left = this.publishFailures.get(topic) ?? 0;
    if (left <= 0) return false;
    this.publishFailures.set(topic, left - 1);
    return true;
  }
  takeCrash(name: string): boolean {
    const left = this.crashes.get(name) ?? 0;
    if (left <= 0) return false;
    this.crashes.set(name, left - 1);
    return true;
  }
  stateUnavailableAt(now: Date): boolean {
    return this.outages.some((outage) => now.getTime() >= outage.from && now.getTime() < outage.to);
  }
}

/** The error a backend gives when it is down: gRPC UNAVAILABLE, which every function treats as transient. */
export function unavailable(what: string): Error {
  return Object.assign(new Error(`14 UNAVAILABLE: ${what} (injected fault)`), { code: 14 });
}

export function recordingBus(inner: Bus, clock: Clock, recorder: Recorder, faults?: FaultPlan): Bus {
  return {
    async publish(message: OutgoingMessage) {
      if (faults?.takePublishFailure(message.topic)) throw unavailable(`publish to ${message.topic}`);
      const id = await inner.publish(message);
      recorder.published.push({
        at: clock.now().toISOString(),
        topic: message.topic,
        data: message.data,
        attributes: message.attributes ?? {},
        message_id: id,
      });
      return id;
    },
  };
}

export function recordingHttpCaller(inner: HttpCaller, clock: Clock, recorder: Recorder): HttpCaller {
  return {
    async call(request: HttpCall) {
      const record: CallRecord = {
        at: clock.now().toISOString(),
        target: request.target,
        method: request.method,
        url: request.url,
        body: request.body,
        status: null,
        ...(request.headers?.['Idempotency-Key']
          ? { idempotency_key: request.headers['Idempotency-Key'] }
          : {}),
      };
      recorder.calls.push(record);
      try {
        const answer = await inner.call(request);
        record.status = answer.status;
        return answer;
      } catch (error) {
        record.error = (error as Error).message;
        throw error;
      }
    },
  };
}

export function recordingObjectStore(inner: ObjectStore, clock: Clock, recorder: Recorder): ObjectStore {
  return {
    async put(object: ObjectWrite) {
      await inner.put(object);
      let body: unknown = object.body;
      try {
        body = JSON.parse(object.body);
      } catch {
        // not JSON: keep the text
      }
      recorder.exports.push({
        at: clock.now().toISOString(),
        bucket: object.bucket,
        path: object.path,
        body,
        ...(object.cacheControl ? { cache_control: object.cacheControl } : {}),
      });
    },
    get: (bucket, path) => inner.get(bucket, path),
    list: (bucket, prefix) => inner.list(bucket, prefix),
  };
}

export function faultyStateStore(inner: StateStore, clock: Clock, faults: FaultPlan): StateStore {
  const guard = () => {
    if (faults.stateUnavailableAt(clock.now())) throw unavailable('Firestore');
  };
  return {
    get: async (path) => {
      guard();
      return inner.get(path);
    },
    merge: async (path, fields) => {
      guard();
      return inner.merge(path, fields);
    },
    delete: async (path) => {
      guard();
      return inner.delete(path);
    },
    list: async (collection, filters, limit) => {
      guard();
      return inner.list(collection, filters, limit);
    },
    transaction: async (work) => {
      guard();
      return inner.transaction(work);
    },
  };
}
