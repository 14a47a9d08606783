/**
 * What the executor stores in `DeploymentTask.result`, per task kind, for the API (upstream's `builds`/`runs`
 * maps), the CLI and metrics. Kept as plain JSON in the store; keys are only ever added.
 */

export interface BuildTaskResult {
  /** builds-api build name (also in `externalId`). */
  readonly buildId?: string;
  /** The image the build produced (or the reused build's image). */
  readonly image?: string;
  readonly resolvedCommit?: string;
  /** The plan reused an existing build: nothing was built. */
  readonly reused?: boolean;
  /** Failed attempts of retryable errors so far. */
  readonly failedAttempts?: number;
}

export interface DeployTaskResult {
  /** The job was upserted (and restarted if needed); the task then waits for it to be ready. */
  readonly applied?: boolean;
  /** ISO time the upsert answered: the readiness wait (and its deadline) starts there. */
  readonly appliedAt?: string;
  readonly image?: string;
  /** jobs-api's `job_changed`. */
  readonly changed?: boolean;
  readonly restarted?: boolean;
  readonly action?: 'created-or-updated' | 'restarted' | 'unchanged';
  /** jobs-api's own messages. */
  readonly messages?: { readonly info: string[]; readonly warning: string[]; readonly error: string[] };
  /** Upstream's run long status (`created or updated job c, [info](…)`). */
  readonly longStatus?: string;
  readonly failedAttempts?: number;
}

export interface SkippedTaskResult {
  /** The component whose failure made this task skip (the root cause, carried through skipped tasks). */
  readonly cause: string;
}
