/**
 * What a runtime reports about a tool right now: its builds and its jobs, in the vocabulary of builds-api and
 * jobs-api but decoded (camelCase, enums, ISO times). An ObservedState is a snapshot: planning never calls a
 * runtime again, so the same snapshot always gives the same plan.
 */
import type { EmailMode, HealthCheck, MountMode, PortProtocol } from './tool-config.js';

/** builds-api status mapped as upstream does (BUILD_RUNNING → running, BUILD_SUCCESS → successful, …). */
export const BUILD_STATES = ['pending', 'running', 'successful', 'failed', 'cancelled', 'unknown'] as const;
export type BuildState = (typeof BUILD_STATES)[number];

export interface BuildRecord {
  readonly id: string;
  /** builds-api `parameters.image_name` (upstream uses the component name). */
  readonly imageName: string;
  /** builds-api `destination_image`, set once the build has produced an image. */
  readonly image?: string;
  readonly repository: string;
  readonly ref?: string;
  /** The commit the ref resolved to when the build started. */
  readonly resolvedCommit?: string;
  readonly useLatestVersions: boolean;
  readonly useDeprecatedVersions: boolean;
  /** builds-api `parameters.envvars`; absent when the build had none (or the runtime does not report them). */
  readonly envvars?: Readonly<Record<string, string>>;
  readonly state: BuildState;
  /** Human text from the runtime (builds-api condition message), if any. */
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

export const JOB_TYPES = ['continuous', 'scheduled', 'one-off'] as const;
export type JobType = (typeof JOB_TYPES)[number];

/**
 * Live state of a job, coarse enough to be common to jobs-api and the local runtime.
 * - `running`: continuous job with its processes up (health decides readiness, see `JobRecord.health`);
 * - `registered`: scheduled job known to the scheduler (idle between runs counts as registered);
 * - `pending`: accepted, not running yet; `crash-looping`: restarting after repeated failures;
 * - `failed`: stopped with an error and not being restarted (a one-off: its last run failed);
 * - `completed`: a one-off job whose last run exited 0 (its `lastRun` says when).
 */
export const JOB_STATES = [
  'pending',
  'running',
  'registered',
  'crash-looping',
  'failed',
  'unknown',
  'completed',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const JOB_HEALTH = ['healthy', 'unhealthy', 'starting', 'none', 'unknown'] as const;
/**
 * `none` = the job has no health check (then running counts as healthy after a short stable period);
 * `unknown` = it has one, but the runtime cannot see its result (jobs-api reports no readiness): then running
 * without a restart for a longer stability window is the best evidence there is.
 */
export type JobHealth = (typeof JOB_HEALTH)[number];

/**
 * The run fields of a job, as the config's `run` gives them (tool-config.ts `ContinuousRun`/`ScheduledRun`),
 * shared by what we ask a runtime for (`JobSpec`) and what it reports (`JobRecord`). The fields of the other
 * job type stay unset.
 */
export interface JobRunFields {
  /** Procfile process type or shell command. */
  readonly command: string;
  readonly schedule?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly emails?: EmailMode;
  readonly filelog?: boolean;
  readonly filelogStdout?: string;
  readonly filelogStderr?: string;
  readonly mount?: MountMode;
  readonly port?: number;
  readonly portProtocol?: PortProtocol;
  readonly publish?: string;
  readonly replicas?: number;
  readonly healthCheck?: HealthCheck;
  readonly retry?: number;
  readonly timeout?: number;
}

/** How a one-off job's run ended, or that it has not yet. */
export const ONE_OFF_RUN_STATES = ['pending', 'running', 'succeeded', 'failed'] as const;
export type OneOffRunState = (typeof ONE_OFF_RUN_STATES)[number];

/**
 * The last run of a one-off job (its `JobRecord` holds what ran: image and spec). jobs-api keeps one record
 * per one-off job name, so the last run is all a runtime can always report; the local runtime keeps every
 * run's record and log too (`logs COMPONENT`).
 */
export interface OneOffRun {
  readonly state: OneOffRunState;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The exit code of the last attempt, when the runtime knows it. */
  readonly exitCode?: number;
  /** Why it failed, in the runtime's words (e.g. `timed out after 30s`, jobs-api's status_long). */
  readonly message?: string;
  /** Attempts made (1 + retries used), when the runtime counts them. */
  readonly attempts?: number;
}

export interface JobRecord extends JobRunFields {
  readonly name: string;
  readonly type: JobType;
  /** The image reference as jobs-api reports it (e.g. `tool-t1/web:latest`). */
  readonly image: string;
  readonly state: JobState;
  readonly health: JobHealth;
  /** Replicas ready / wanted, when the runtime knows them. */
  readonly readyReplicas?: number;
  /** Container restarts the runtime reports (jobs-api `restarted (<n>)`), when it reports them. */
  readonly restarts?: number;
  /**
   * How long the job's container has been running, by the runtime's own clock, when it says (jobs-api
   * `status.duration` while `running`; a restart starts it again from zero).
   */
  readonly runningForMs?: number;
  /** False when the runtime says the job was changed behind its back (jobs-api `status.up_to_date`). */
  readonly upToDate?: boolean;
  /** Human text (jobs-api status_long / last error). */
  readonly message?: string;
  /**
   * Why the job is not healthy, in a few words, as the runtime last saw it (the local runtime: a probe's HTTP
   * status or connection error, a health script's exit code and output); absent when healthy or not known.
   */
  readonly healthReason?: string;
  /** Where a published job answers, when the runtime knows it (the local runtime: `http://127.0.0.1:<port>/`). */
  readonly url?: string;
  /** A one-off job's last run; absent for the other job types. */
  readonly lastRun?: OneOffRun;
}

export interface ObservedState {
  readonly tool: string;
  /** When the snapshot was taken (ISO 8601). */
  readonly observedAt: string;
  readonly builds: readonly BuildRecord[];
  readonly jobs: readonly JobRecord[];
  /**
   * Components that our last deployment of this tool deployed (from the store), so that a job the config no
   * longer lists can be told apart: ours → orphaned, never ours → unmanaged.
   */
  readonly previouslyManaged: readonly string[];
  /** repository + '#' + (ref ?? 'HEAD') → commit, as resolved by the runtime (`git ls-remote`) for this plan. */
  readonly resolvedRefs: Readonly<Record<string, RefResolution>>;
}

export type RefResolution =
  { readonly ok: true; readonly commit: string } | { readonly ok: false; readonly error: string };

/** Key of `ObservedState.resolvedRefs`. */
export function refKey(repository: string, ref: string | undefined): string {
  return `${repository}#${ref ?? 'HEAD'}`;
}

export function emptyObservedState(tool: string, observedAt = new Date(0).toISOString()): ObservedState {
  return { tool, observedAt, builds: [], jobs: [], previouslyManaged: [], resolvedRefs: {} };
}
