/**
 * Every delay the local runtime uses, in one place so that tests can shorten them. The defaults follow
 * Kubernetes' CrashLoopBackOff in spirit (start small, double, cap, reset after a healthy stretch).
 */
export interface LocalTimings {
  /** First restart delay after a crash. */
  readonly backoffInitialMs: number;
  /** Cap of the doubling restart delay. */
  readonly backoffMaxMs: number;
  /** A process up this long is considered recovered: backoff and crash history reset. */
  readonly backoffResetMs: number;
  /** This many crashes within `crashLoopWindowMs` make the job `crash-looping`. */
  readonly crashLoopThreshold: number;
  readonly crashLoopWindowMs: number;
  /** Health probe period and per-probe time-out. */
  readonly healthIntervalMs: number;
  readonly healthTimeoutMs: number;
  /** SIGTERM → SIGKILL grace when stopping a process group. */
  readonly stopGraceMs: number;
  /**
   * How long a process must listen on other ports, and not on its own, before its job fails for it (a server
   * may bind an extra port before its main one).
   */
  readonly wrongPortGraceMs: number;
}

export const DEFAULT_TIMINGS: LocalTimings = {
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  backoffResetMs: 60_000,
  crashLoopThreshold: 3,
  crashLoopWindowMs: 60_000,
  healthIntervalMs: 1_000,
  healthTimeoutMs: 2_000,
  stopGraceMs: 5_000,
  wrongPortGraceMs: 3_000,
};
