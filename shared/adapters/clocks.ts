import type { Clock } from '../ports/clock.port.js';

export const systemClock: Clock = { now: () => new Date() };

/** The replay's clock: time moves only when the replay moves it. */
export class SimulatedClock implements Clock {
  private current: number;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | string): void {
    const next = new Date(to).getTime();
    if (next < this.current)
      throw new Error(`simulated time cannot go back (${new Date(next).toISOString()})`);
    this.current = next;
  }

  advance(milliseconds: number): void {
    this.set(new Date(this.current + milliseconds));
  }
}
