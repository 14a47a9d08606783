/**
 * Plan data: what the plan core decides and what the executor carries out. Pure data, serialisable as JSON
 * (the JSON renderer and the store keep it as is). Kinds and reasons are string literals from `as const` arrays:
 * they are persisted, so they are never renamed, only added.
 */
import type { ComponentType } from '../config/tool-config.js';

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
  | { readonly kind: 'leave-orphan' };

export const PLAN_SYMBOLS = {
  create: '+',
  update: '~',
  replace: '-/+',
  restart: '↻',
  delete: '-',
  'no-op': ' ',
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
 * - `completed`: a build finished successfully / a job was upserted;
 * - `healthy`: a continuous dependency is running and passes its health check;
 * - `registered`: a scheduled dependency is known to the scheduler.
 */
export interface TaskDependency {
  readonly task: string;
  readonly condition: 'completed' | 'healthy' | 'registered';
}

export interface PlanTask {
  /** `build:<component>`, `deploy:<component>` or `delete:<component>`. */
  readonly id: string;
  readonly kind: TaskKind;
  readonly component: string;
  readonly dependsOn: readonly TaskDependency[];
}

export interface PlanSummary {
  readonly toBuild: number;
  readonly toCreate: number;
  readonly toUpdate: number;
  readonly toRestart: number;
  readonly toDelete: number;
  readonly unchanged: number;
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
}

export interface PlanOptions {
  readonly forceBuild: boolean;
  readonly forceRun: boolean;
  readonly prune: boolean;
  /** Plan only these components (and what they need); undefined = all. */
  readonly only?: readonly string[];
}
