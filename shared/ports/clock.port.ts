/** Where "now" comes from: the system clock, or the replay's simulated clock. */
export interface Clock {
  now(): Date;
}
