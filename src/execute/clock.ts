/**
 * The executor's only source of time. The worker loop passes the system clock; tests pass one they move by
 * hand, so no executor test sleeps in real time (see test/support/executor-kit.ts `ManualClock`).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
