/**
 * What a task module (build, deploy, delete, run-once) sees of the deployment it belongs to: one step's mutable
 * view, the environment, and the run's services. `DeploymentRun` implements `TaskRun`; the task modules depend on
 * this interface only, so the run can import them without an import cycle.
 */
import type { BuildQuota, RuntimeSnapshot, SnapshotPart } from '../runtimes/runtime.js';
import type { GuardedRuntime } from '../runtimes/guarded-runtime.js';
import type { Store, TaskPatch } from '../store/store.js';
import type { PlanTask } from '../model/plan.js';
import type { Deployment, DeploymentTask } from '../model/deployment.js';
import type { ResolvedOptions } from './executor-options.js';
import type { ReadyCondition, StabilityTracker } from './readiness.js';
import type { DependencyVerdict, WaitCheck } from './dependencies.js';

export interface TakenSnapshot extends RuntimeSnapshot {
  /** Clock time (ms) just before the runtime was asked. */
  readonly takenAt: number;
}

/** Per part, the latest snapshot that fetched it: `builds.builds` and `jobs.jobs` are always real lists. */
export type Snapshots = { [P in SnapshotPart]?: TakenSnapshot };

/** Free build slots for this step, and the quota they were read from (for the waiting text). */
export interface BuildSlots {
  free: number;
  readonly quota?: BuildQuota;
}

/** Mutable view of one step. */
export interface Step {
  readonly deployment: Deployment;
  readonly tasks: Map<string, DeploymentTask>;
  readonly now: number;
  changed: boolean;
  dueAt?: number;
  /** Read at most once per step, and only when a build could start. */
  slots?: BuildSlots;
}

export interface RunEnvironment {
  readonly store: Store;
  /** The one layer with time limits and retries of reads; changes are made once per attempt. */
  readonly runtime: GuardedRuntime;
  readonly options: ResolvedOptions;
}

/** How often a build waiting for a slot looks at the quota again when nothing else wakes it (ms). */
export const QUOTA_RECHECK_MS = 2_000;

/** The outcome of one runtime call fired for a task. */
export type CallOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface TaskRun {
  readonly tool: string;
  readonly env: RunEnvironment;
  readonly options: ResolvedOptions;
  readonly stability: StabilityTracker;
  /** Build tasks whose `startBuild` is in flight (builds-api may not count them in its quota yet). */
  readonly starting: Set<string>;
  /** taskId → snapshots (by takenAt) in which its build was missing. */
  readonly missing: Map<string, Set<number>>;
  /** taskId → when its last runtime call ended (a snapshot must be newer to show what that call did). */
  readonly attemptEnded: Map<string, number>;
  /** Only the list a part's snapshot fetched may be read: a part not fetched is empty, not "none". */
  readonly snapshots: Snapshots;
  now(): number;
  /** Persists a task change (and its event) and records it in the step. */
  write(step: Step | undefined, task: DeploymentTask, patch: TaskPatch): Promise<DeploymentTask>;
  /** Runs a runtime call for `task` in the background; `settle` persists its outcome under the run's lock. */
  fire<T>(
    task: DeploymentTask,
    call: (signal: AbortSignal) => Promise<T>,
    settle: (outcome: CallOutcome<T>) => Promise<void>,
  ): void;
  /** A call whose errors do not matter (cancelling a build). */
  fireAndForget(call: (signal: AbortSignal) => Promise<unknown>): void;
  buildSlots(step: Step): Promise<BuildSlots>;
  learnReady(planTask: PlanTask, task: DeploymentTask, readyAt: number): void;
  snapshotSince(step: Step, at: number, part: SnapshotPart): TakenSnapshot | undefined;
  planTask(taskId: string): PlanTask | undefined;
  dependencies(step: Step, task: DeploymentTask): DependencyVerdict;
  readiness(
    step: Step,
    name: string,
    condition: ReadyCondition,
    notBefore?: number,
  ): WaitCheck & { readonly readyAt?: number };
  iso(step: Step | undefined): string;
  due(step: Step, at: number): void;
}
