/**
 * Whether a task may start: every `completed` dependency succeeded, and every `healthy`/`registered` one is
 * deployed and ready: its deploy task succeeded (which it does only once its job was ready by its plan's rule)
 * and the job is not broken now, or, without a task, the job is ready in the latest snapshot. A failed
 * dependency skips the task (naming the root cause, once); a broken or timed-out wait fails it.
 */
import type { PlanTask } from '../model/plan.js';
import type { DeploymentTask } from '../model/deployment.js';
import { resultOf } from './task-record.js';

export type DependencyVerdict =
  | { readonly kind: 'ready' }
  /** A `completed` dependency is not done yet. */
  | { readonly kind: 'blocked' }
  | {
      readonly kind: 'waiting';
      readonly names: readonly string[];
      readonly reason: string;
      readonly dueAt?: number;
    }
  | { readonly kind: 'skip'; readonly reason: string; readonly cause: string }
  | { readonly kind: 'fail'; readonly reason: string };

export type WaitCheck =
  | { readonly kind: 'ready' }
  | { readonly kind: 'not-ready'; readonly detail: string; readonly dueAt?: number }
  | { readonly kind: 'fail'; readonly reason: string };

/**
 * Checks one wait-for dependency against the runtime's snapshot. `task`: its deploy task, when the plan has
 * one (it succeeded); `since`: when the wait began (ms).
 */
export type WaitChecker = (
  component: string,
  task: DeploymentTask | undefined,
  since: number | undefined,
) => WaitCheck;

/** `deploy:toolhunt-api` → `toolhunt-api`. */
export function componentOfTask(taskId: string): string {
  const colon = taskId.indexOf(':');
  return colon >= 0 ? taskId.slice(colon + 1) : taskId;
}

/** The component whose failure made `task` end badly: itself when it failed, else the cause it recorded. */
export function rootCause(task: DeploymentTask): string {
  const cause = resultOf(task).cause;
  return task.state !== 'failed' && typeof cause === 'string' ? cause : task.component;
}

const ENDED_BADLY = new Set(['failed', 'skipped', 'cancelled']);

export function evaluateDependencies(
  task: DeploymentTask,
  planTask: PlanTask | undefined,
  tasks: ReadonlyMap<string, DeploymentTask>,
  check: WaitChecker,
): DependencyVerdict {
  const deps = planTask?.dependsOn ?? [];
  for (const dep of deps) {
    const other = tasks.get(dep.task);
    if (other && ENDED_BADLY.has(other.state)) {
      const cause = rootCause(other);
      const reason =
        cause === task.component ? `${other.kind} of ${cause} failed` : `dependency ${cause} failed`;
      return { kind: 'skip', reason, cause };
    }
  }
  let blocked = false;
  const waiting: { name: string; detail: string }[] = [];
  let dueAt: number | undefined;
  for (const dep of deps) {
    const other = tasks.get(dep.task);
    if (dep.condition === 'completed') {
      // A dependency without a task (a no-op component) has nothing left to complete.
      if (other && other.state !== 'succeeded') blocked = true;
      continue;
    }
    const name = componentOfTask(dep.task);
    if (other && other.state !== 'succeeded') {
      waiting.push({ name, detail: 'not deployed yet' });
      continue;
    }
    const since = other?.finishedAt !== undefined ? Date.parse(other.finishedAt) : undefined;
    const result = check(name, other, since);
    if (result.kind === 'fail') return { kind: 'fail', reason: result.reason };
    if (result.kind === 'not-ready') {
      waiting.push({ name, detail: result.detail });
      if (result.dueAt !== undefined) dueAt = Math.min(dueAt ?? Infinity, result.dueAt);
    }
  }
  if (blocked) return { kind: 'blocked' };
  if (waiting.length === 0) return { kind: 'ready' };
  const [first] = waiting;
  const more = waiting.length > 1 ? ` (and ${waiting.length - 1} more)` : '';
  return {
    kind: 'waiting',
    names: waiting.map((w) => w.name),
    reason: `waiting for ${first?.name}: ${first?.detail}${more}`,
    ...(dueAt !== undefined ? { dueAt } : {}),
  };
}
