/**
 * The one seam between the deployment logic and the world. Status, plan and the executor use only this
 * interface; `runtimes/toolforge` (HTTP client of builds-api + jobs-api) and `runtimes/local` (builds from git,
 * supervised processes, cron on this machine) implement it, and a contract suite runs against both.
 *
 * Rules every implementation keeps:
 * - `observe` costs O(1) calls per tool (one builds list + one jobs list), whatever the number of components,
 *   because the executor calls it once per polling tick; with `parts` it may skip the list nobody needs.
 * - Methods that change things are idempotent where the backing API is (upsert, delete of a missing job).
 * - Failures are thrown as `RuntimeError` with `retryable` set, so callers never parse messages to decide.
 * - One attempt per call: time limits and retries belong to one layer above (`guarded-runtime.ts`), never to
 *   both (two layers once made up to 5 × 5 attempts of one call).
 */
import type { BuildRecord, JobRecord, RefResolution } from '../model/observed-state.js';
import type { BuildRequest } from '../model/build-request.js';
import type { JobSpec } from '../model/job-spec.js';

export interface RuntimeSnapshot {
  readonly builds: readonly BuildRecord[];
  readonly jobs: readonly JobRecord[];
  /**
   * Which lists were actually fetched; absent means both. A list that was not fetched is empty, which says
   * nothing about the runtime: read `builds`/`jobs` only when its flag is true (see `snapshotHas`).
   */
  readonly fetched?: SnapshotParts;
}

export const SNAPSHOT_PARTS = ['builds', 'jobs'] as const;
export type SnapshotPart = (typeof SNAPSHOT_PARTS)[number];
export type SnapshotParts = { readonly [P in SnapshotPart]: boolean };

export interface ObserveOptions extends CallOptions {
  /** The lists the caller needs (default both); a runtime may return more than asked. */
  readonly parts?: readonly SnapshotPart[];
}

/** Did `snapshot` fetch `part`? (A snapshot without `fetched` has both.) */
export function snapshotHas(snapshot: RuntimeSnapshot, part: SnapshotPart): boolean {
  return snapshot.fetched?.[part] ?? true;
}

/** How many builds the tool may run at once (builds-api's `GET /tool/{t}/quotas`, category builds). */
export interface BuildQuota {
  /** The most builds that may run at once; undefined when the runtime sets no limit. */
  readonly limit?: number;
  /** Builds counted against the limit now (this deployment's and any other's). */
  readonly used: number;
}

export interface StartedBuild {
  readonly id: string;
  readonly resolvedCommit?: string;
}

export interface JobChange {
  /** jobs-api's `job_changed`: false when the stored job already matched the spec. */
  readonly changed: boolean;
  /** The runtime's own messages, kept for upstream's run long status (`, [info](…)`). */
  readonly messages: { readonly info: string[]; readonly warning: string[]; readonly error: string[] };
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export interface QuotaReadOptions extends CallOptions {
  /**
   * How old a count of running builds may be (ms) before the quota is read again. A caller that looks at the
   * tool's builds list while its own builds run (every list updates the count) accepts any age: a build ending
   * shows in its next list anyway, and reading the quota too would only cost calls.
   */
  readonly usedMaxAgeMs?: number;
}

/**
 * What `observe` tells about a running continuous job. jobs-api reports no health check results (a running job
 * with a check has health `unknown`) but does report how long the job has run (`runningForMs`, its
 * `status.duration`); the local runtime is the other way round. The executor paces its looks by it.
 */
export interface JobReporting {
  /** A health check's result is reported (`health` healthy/starting/unhealthy). */
  readonly health: boolean;
  /**
   * A running job's uptime is reported (`runningForMs`), to this resolution (ms; jobs-api: whole seconds), so
   * one sighting dates its start to within that much. Absent: no uptime.
   */
  readonly uptimeResolutionMs?: number;
}

export interface Runtime {
  readonly name: 'toolforge' | 'local' | 'fake';
  /** Default: health reported, uptime not (the pacing that assumes least). */
  readonly reports?: JobReporting;

  /** The tool's builds and jobs (or only the `parts` asked for), in O(1) calls. */
  observe(tool: string, options?: ObserveOptions): Promise<RuntimeSnapshot>;
  /** Resolve a ref to a commit (`git ls-remote`); an unreachable repository is `{ok: false}`, not a throw. */
  resolveRef(
    tool: string,
    repository: string,
    ref: string | undefined,
    options?: CallOptions,
  ): Promise<RefResolution>;

  startBuild(tool: string, request: BuildRequest, options?: CallOptions): Promise<StartedBuild>;
  cancelBuild(tool: string, buildId: string, options?: CallOptions): Promise<void>;
  /**
   * The tool's build quota; a runtime without one leaves this out (the executor then uses its own cap). The
   * executor reads it once per step that has builds to start and keeps the quota full; a `quota` error from
   * `startBuild` (builds-api's 409) is back-pressure, not a failure.
   */
  buildQuota?(tool: string, options?: QuotaReadOptions): Promise<BuildQuota>;
  buildLogs?(tool: string, buildId: string, options?: CallOptions): Promise<string[]>;

  upsertJob(tool: string, spec: JobSpec, options?: CallOptions): Promise<JobChange>;
  restartJob(tool: string, name: string, options?: CallOptions): Promise<void>;
  /**
   * Starts a new run of one-off job `spec` (type `one-off`), replacing the job's earlier run and its record as
   * the job's `lastRun` (its log stays). Returns once the run is accepted; `observe` follows it to its end.
   */
  runOnce(tool: string, spec: JobSpec, options?: CallOptions): Promise<void>;
  /** Deleting a job that does not exist succeeds. */
  deleteJob(tool: string, name: string, options?: CallOptions): Promise<void>;
  jobLogs?(
    tool: string,
    name: string,
    options?: CallOptions & { readonly follow?: boolean },
  ): AsyncIterable<string>;

  /** Release connections, stop timers (and, for the local runtime, nothing it runs: see its own `shutdown`). */
  close(): Promise<void>;
}

export const RUNTIME_ERROR_KINDS = [
  'not-found',
  'rejected', // 4xx other than 404/409: the request itself is wrong, retrying cannot help
  'conflict',
  'quota', // builds-api 409 build limit: retry later
  'unavailable', // 5xx, timeouts, connection errors
] as const;
export type RuntimeErrorKind = (typeof RUNTIME_ERROR_KINDS)[number];

/** Every failure a runtime throws. `message` is user-facing (it carries the backing API's own error text). */
export class RuntimeError extends Error {
  readonly kind: RuntimeErrorKind;
  readonly status?: number;
  constructor(kind: RuntimeErrorKind, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = 'RuntimeError';
    this.kind = kind;
    this.status = options?.status;
  }
  get retryable(): boolean {
    return this.kind === 'quota' || this.kind === 'unavailable';
  }
}
