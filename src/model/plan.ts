/**
 * Plan data: what the plan core decides and what the executor carries out. Pure data, serialisable as JSON
 * (the JSON renderer and the store keep it as is). Kinds and reasons are string literals from `as const` arrays:
 * they are persisted, so they are never renamed, only added.
 */
import type { ComponentType } from './tool-config.js';
import type { BuildRequest } from './build-request.js';
import type { JobSpec } from './job-spec.js';

export const PLAN_FORMAT_VERSION = 1;

/** What happens to the component's image. */
export type BuildDecision =
  | {
      readonly kind: 'build';
      /** Why a new build: no build matches repo+commit+flags, forced, or the ref could not be resolved. */
      readonly reason: 'no-matching-build' | 'forced' | 'unresolved-ref';
      readonly repository: string;
      readonly ref?: string;
      /** Undefined when the ref could not be resolved (the runtime resolves it when the build starts). */
      readonly commit?: string;
      /** Components sharing this build (same repository, commit and flags); the first one owns the task. */
      readonly sharedWith: readonly string[];
      readonly detail?: string;
    }
  | {
      readonly kind: 'reuse-build';
      readonly buildId: string;
      readonly image?: string;
      readonly commit: string;
    }
  /** A matching build is still running: follow it instead of starting another. */
  | { readonly kind: 'follow-build'; readonly buildId: string; readonly commit: string }
  /** `reuse-from`: the image comes from another component's build. */
  | { readonly kind: 'from-component'; readonly component: string }
  /** Shares another component's build task (same repository, commit and flags). */
  | { readonly kind: 'shared-build'; readonly component: string };

export interface FieldChange {
  /** Normalised field name, e.g. `command`, `replicas`, `healthCheck`. */
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** What happens to the component's job. */
export type JobDecision =
  | { readonly kind: 'create' }
  | { readonly kind: 'update'; readonly changes: readonly FieldChange[] }
  | { readonly kind: 'restart'; readonly reason: 'image-rebuilt' | 'forced' }
  | { readonly kind: 'no-op' }
  | { readonly kind: 'delete' }
  /** Orphaned (we deployed it, the config dropped it) but `prune` was not asked for. */
  | { readonly kind: 'leave-orphan' }
  /**
   * A one-off component runs (again): it never ran, what it runs changed (spec or image), its last run did
   * not succeed, or `--force-run`. An unchanged one-off that already succeeded is a `no-op`.
   */
  | { readonly kind: 'run'; readonly reason: OneOffRunReason };

export const ONE_OFF_RUN_REASONS = [
  'never-ran',
  'changed',
  'image-rebuilt',
  'last-run-failed',
  'forced',
  // Its last run, of this very spec and image, has not ended: it is followed to its end, not started again.
  'still-running',
] as const;
export type OneOffRunReason = (typeof ONE_OFF_RUN_REASONS)[number];

export const PLAN_SYMBOLS = {
  create: '+',
  update: '~',
  replace: '-/+',
  restart: '↻',
  delete: '-',
  'no-op': ' ',
  run: '▶',
} as const;

export interface ComponentPlan {
  readonly name: string;
  /** Undefined for an orphaned component the config no longer lists. */
  readonly type?: ComponentType;
  readonly build?: BuildDecision;
  readonly job: JobDecision;
  /** One human sentence: why this action. */
  readonly reason: string;
  readonly waitFor: readonly string[];
  /**
   * The image the component's job runs after this plan (for a new build, the image it will produce).
   * Undefined for orphans and for components `only` left out. Added after format 1 was first written.
   */
  readonly image?: string;
}

export const TASK_KINDS = ['build', 'deploy', 'delete'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/**
 * An edge of the task DAG: the task waits for `task` to reach `condition`.
 * - `completed`: a build finished successfully / a job was upserted / a one-off job ran to completion and
 *   exited 0;
 * - `healthy`: a continuous dependency is running and passes its health check;
 * - `registered`: a scheduled dependency is known to the scheduler.
 */
export interface TaskDependency {
  readonly task: string;
  readonly condition: 'completed' | 'healthy' | 'registered';
}

/** The image a job operation runs: known when planning, or the one a build task of this plan produces. */
export type PlannedImage =
  { readonly kind: 'known'; readonly image: string } | { readonly kind: 'from-build'; readonly task: string };

/** A job as the plan asks for it, without its image (which may only be known once a build ends). */
export type JobTemplate = Omit<JobSpec, 'image'>;

export const OPERATION_KINDS = [
  'start-build',
  'follow-build',
  'upsert-job',
  'delete-job',
  'run-once',
] as const;

/**
 * Everything the executor needs to carry a task out, decided here once: it never reads the config and never
 * decides again. Persisted with the plan, so a resumed deployment carries out exactly what was planned.
 */
export type TaskOperation =
  /**
   * Start a build with exactly this request. `expectedMs`: how long the image's last finished build took (from
   * the observed builds), when one is known: the executor starts the longest expected builds first when the
   * build quota cannot take them all, and knows when to look for its end.
   */
  | { readonly kind: 'start-build'; readonly request: BuildRequest; readonly expectedMs?: number }
  /** A matching build is already running: wait for it instead of starting another. */
  | { readonly kind: 'follow-build'; readonly buildId: string }
  /**
   * Create or update the job to `spec` on `image`. `restart`: the plan expects the job to be unchanged (same
   * spec, rebuilt image, or `--force-run`), so once the upsert reports it unchanged the job is restarted onto
   * the new image. Absent for a create or update: a job this deployment changed is never restarted.
   */
  | {
      readonly kind: 'upsert-job';
      readonly spec: JobTemplate;
      readonly image: PlannedImage;
      readonly restart?: 'image-rebuilt' | 'forced';
    }
  | { readonly kind: 'delete-job'; readonly name: string }
  /**
   * Run a one-off job to completion: `spec` on `image`, replacing the job's earlier run. Ready when the run
   * `completed` successfully; a failed run (exit code, timeout) fails the task and skips its dependents.
   */
  | {
      readonly kind: 'run-once';
      readonly spec: JobTemplate;
      readonly image: PlannedImage;
      /** The run of this spec already in progress is followed to its end instead of starting one. */
      readonly attach?: true;
    };

/**
 * When a task is done: a build or a delete when it `completed`; a continuous job when it is `healthy`, judged
 * by its health check where the runtime reports it (`health-check`), else by running without a restart for a
 * stability window (`stability`: no health check); a scheduled job when it is `registered`.
 */
export type TaskReady =
  | { readonly kind: 'completed' }
  | { readonly kind: 'healthy'; readonly observed: 'health-check' | 'stability' }
  | { readonly kind: 'registered' };

/** Why a task exists, as a code scripts can switch on; only ever added to. */
export const TASK_REASON_CODES = [
  'no-matching-build',
  'forced-build',
  'unresolved-ref',
  'follow-build',
  'create-job',
  'update-job',
  'restart-image-rebuilt',
  'restart-forced',
  'delete-orphan',
  'run-once',
] as const;
export type TaskReasonCode = (typeof TASK_REASON_CODES)[number];

export interface TaskReason {
  readonly code: TaskReasonCode;
  /** The same sentence the component's plan line shows. */
  readonly text: string;
}

export interface PlanTask {
  /** `build:<component>`, `deploy:<component>` or `delete:<component>`. */
  readonly id: string;
  readonly kind: TaskKind;
  readonly component: string;
  readonly dependsOn: readonly TaskDependency[];
  readonly operation: TaskOperation;
  readonly ready: TaskReady;
  readonly reason: TaskReason;
}

export interface PlanSummary {
  readonly toBuild: number;
  readonly toCreate: number;
  readonly toUpdate: number;
  readonly toRestart: number;
  readonly toDelete: number;
  readonly unchanged: number;
  /** One-off components to run. Optional: plans stored before one-off components have none. */
  readonly toRun?: number;
}

export interface Plan {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  /** Digest of (config, observed state, options): equal inputs give equal ids; a saved plan can be refused as stale. */
  readonly id: string;
  readonly tool: string;
  readonly configDigest: string;
  readonly statusRevision: string;
  readonly components: readonly ComponentPlan[];
  /** Topological order; ties broken by config order. Tasks whose component is a no-op are left out. */
  readonly tasks: readonly PlanTask[];
  readonly warnings: readonly string[];
  readonly summary: PlanSummary;
  /** Set when this plan rolls back to an earlier deployment: its id. Added after format 1 was first written. */
  readonly rollbackTo?: string;
}

export interface PlanOptions {
  readonly forceBuild: boolean;
  readonly forceRun: boolean;
  readonly prune: boolean;
  /** Plan only these components (and what they need); undefined = all. */
  readonly only?: readonly string[];
  /**
   * Rollback: component → the commit an earlier deployment built it from. Such a component is built from that
   * commit (not its ref's current one): an existing build of it is reused while its image still exists, even
   * when it is no longer the newest, otherwise the commit is built again.
   */
  readonly pinnedCommits?: Readonly<Record<string, string>>;
  /** Rollback: the id of the earlier deployment this plan deploys again (shown in the plan's header). */
  readonly rollbackTo?: string;
}
