/**
 * What the executor keeps in `DeploymentTask.result`, per task kind: typed here and read only through these
 * accessors. Plain JSON in the store; keys are only ever added (the API reads `image`, `reused`, `action`,
 * `changed` and `messages` for upstream's `builds`/`runs` maps).
 *
 * The exactly-once bookkeeping lives here too: before a call that changes something is sent, its `intent` is
 * stored; once its effect is known (answered, or observed after a lost answer), the effect is stored. A task
 * with an intent and no effect had an attempt whose outcome is unknown: it looks before it acts again.
 */
import type { JobChange } from '../runtimes/runtime.js';
import type { DeploymentTask } from '../model/deployment.js';

/** An external action about to be sent (stored first), and since when. */
export interface Intent {
  readonly op: 'start-build' | 'upsert' | 'restart' | 'delete' | 'run-once';
  /** ISO time the attempt was recorded: an effect seen later than this may be this attempt's. */
  readonly at: string;
}

export interface BuildResult {
  /** builds-api build name (also in `externalId`). */
  readonly buildId?: string;
  /** The image the build produced. */
  readonly image?: string;
  readonly resolvedCommit?: string;
  readonly intent?: Intent;
  /** Failed attempts of retryable errors so far. */
  readonly failedAttempts?: number;
}

export interface DeployResult {
  readonly intent?: Intent;
  /** The upsert took effect (its answer came, or the job was seen with the spec after a lost answer). */
  readonly upserted?: boolean;
  /**
   * Some attempt of this deployment changed the job (jobs-api `job_changed`, or the job was seen with the spec
   * after an attempt whose answer was lost). Once true it stays true: a changed job is never restarted.
   */
  readonly changed?: boolean;
  readonly restarted?: boolean;
  /** ISO time the job was applied (upserted, and restarted if needed): the readiness wait starts there. */
  readonly appliedAt?: string;
  readonly image?: string;
  readonly action?: 'created-or-updated' | 'restarted' | 'unchanged';
  /** jobs-api's own messages. */
  readonly messages?: JobChange['messages'];
  /** Upstream's run long status (`created or updated job c, [info](…)`). */
  readonly longStatus?: string;
  readonly failedAttempts?: number;
  /** A one-off's run: how it ended (exit code of its last attempt), once it did. */
  readonly exitCode?: number;
}

export interface DeleteResult {
  readonly intent?: Intent;
  readonly failedAttempts?: number;
}

export interface SkippedResult {
  /** The component whose failure made this task skip (the root cause, carried through skipped tasks). */
  readonly cause: string;
}

/** The union of every kind's keys: what `result` may hold. */
export type TaskResult = BuildResult & DeployResult & DeleteResult & Partial<SkippedResult>;

export function resultOf(task: DeploymentTask): TaskResult {
  return (task.result ?? {}) as TaskResult;
}

/** A deploy task whose job is applied: it only waits for readiness now. */
export function isApplied(task: DeploymentTask): boolean {
  return resultOf(task).appliedAt !== undefined;
}

export function failedAttempts(task: DeploymentTask): number {
  return resultOf(task).failedAttempts ?? 0;
}
