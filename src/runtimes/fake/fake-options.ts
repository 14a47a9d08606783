/**
 * Knobs of the in-memory fake runtime. Durations are milliseconds of the fake's clock (`now`, real time by
 * default), so executor tests can shape builds and jobs without any server.
 */

export interface FakeBuildBehaviour {
  /** Time from start to the end of the build (default: `FakeRuntimeOptions.buildMs`). */
  readonly durationMs?: number;
  /** The build ends in failure with this message. */
  readonly failWith?: string;
}

export interface FakeJobBehaviour {
  /** Time from upsert/restart until a continuous job runs (default: `FakeRuntimeOptions.jobStartMs`). */
  readonly startMs?: number;
  /** Further time until all replicas pass the health check (default: `FakeRuntimeOptions.jobHealthyMs`). */
  readonly healthyMs?: number;
  /** Once started the job crash-loops with this message instead of running. */
  readonly crashLoop?: string;
  /** Runs but never becomes healthy. */
  readonly neverHealthy?: boolean;
  /** `upsertJob` rejects the spec with this message (a 400 from jobs-api). */
  readonly rejectWith?: string;
  /** A one-off run ends `startMs` after it started with this exit code (default 0). */
  readonly exitCode?: number;
  /** A one-off run never ends (to test its timeout). */
  readonly neverEnds?: boolean;
}

/** A repository the fake knows: which refs exist in it (besides the default branch, which always does). */
export interface FakeRepository {
  /** Branches and tags that resolve; any other ref is missing, as `git ls-remote` would find nothing. */
  readonly refs: readonly string[];
}

export type FakeMethod =
  | 'observe'
  | 'resolveRef'
  | 'startBuild'
  | 'cancelBuild'
  | 'buildQuota'
  | 'upsertJob'
  | 'restartJob'
  | 'runOnce'
  | 'deleteJob';

/** `unavailable`: fails before doing anything; `lost-response`: does it, then fails as if the answer was lost. */
export type OneShotFault = 'unavailable' | 'lost-response';

export interface FaultInjection {
  /** Probability that a call fails with a retryable `unavailable` error before doing anything (default 0). */
  readonly errorRate?: number;
  /**
   * Probability that a call that changes things does it and then fails as if the response was lost (a read
   * time-out after the server acted), the case that makes "never start a build twice" hard. Default 0.
   */
  readonly lostResponseRate?: number;
  /** Methods faults apply to (default: all). */
  readonly methods?: readonly FakeMethod[];
}

export interface FakeRuntimeOptions {
  readonly now?: () => number;
  /** Default build duration (default 20). */
  readonly buildMs?: number;
  /** Default time until a continuous job runs (default 5). */
  readonly jobStartMs?: number;
  /** Default further time until it is healthy (default 5). */
  readonly jobHealthyMs?: number;
  /** Per image name. */
  readonly builds?: Readonly<Record<string, FakeBuildBehaviour>>;
  /** Per job name. */
  readonly jobs?: Readonly<Record<string, FakeJobBehaviour>>;
  /**
   * builds-api's quota: concurrent running builds before `startBuild` answers with a `quota` error (a 409),
   * also what `buildQuota` reports as `limit`; undefined = unlimited.
   */
  readonly buildQuota?: number;
  /**
   * Repositories by URL whose refs the fake checks: a ref not listed does not resolve and a build of it fails.
   * Any ref of a repository not given here resolves (to a stable made-up commit), so tests need not list them.
   */
  readonly repositories?: Readonly<Record<string, FakeRepository>>;
  /** Latency of every call, per method (default 0). */
  readonly latencyMs?: Partial<Record<FakeMethod, number>>;
  readonly faults?: FaultInjection;
  /** Seed of the PRNG behind fault injection (default 1). */
  readonly seed?: number;
}
