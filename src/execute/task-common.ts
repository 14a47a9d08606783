/**
 * What build, deploy, delete and run-once tasks share: acting on a dependency verdict, failing, retrying failed
 * calls, and finding the plan's operation and the image it runs.
 */
import { RuntimeError } from '../runtimes/runtime.js';
import { backoffMs } from '../runtimes/guarded-runtime.js';
import type { PlanTask, PlannedImage, TaskOperation } from '../model/plan.js';
import type { DeploymentTask } from '../model/deployment.js';
import type { Step, TaskRun } from './task-run.js';
import type { DependencyVerdict } from './dependencies.js';
import { failedAttempts, resultOf } from './task-record.js';

/**
 * Persists what the verdict means for a pending/waiting task; true when the task may start now. Skipped tasks
 * record the root cause so that their own dependents name it too.
 */
export async function applyVerdict(
  run: TaskRun,
  step: Step,
  task: DeploymentTask,
  verdict: DependencyVerdict,
): Promise<boolean> {
  const finishedAt = run.iso(step);
  switch (verdict.kind) {
    case 'ready':
      return true;
    case 'blocked':
      return false;
    case 'skip':
      await run.write(step, task, {
        state: 'skipped',
        reason: verdict.reason,
        waitingFor: [],
        result: { cause: verdict.cause },
        finishedAt,
      });
      return false;
    case 'fail':
      await run.write(step, task, { state: 'failed', reason: verdict.reason, waitingFor: [], finishedAt });
      return false;
    case 'waiting':
      if (verdict.dueAt !== undefined) run.due(step, verdict.dueAt);
      if (
        task.state !== 'waiting' ||
        task.reason !== verdict.reason ||
        !sameNames(task.waitingFor, verdict.names)
      ) {
        await run.write(step, task, { state: 'waiting', reason: verdict.reason, waitingFor: verdict.names });
      }
      return false;
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** True while the task's backoff (`notBefore`) has not passed; registers when to look again. */
export function backingOff(run: TaskRun, step: Step, task: DeploymentTask): boolean {
  if (task.notBefore === undefined) return false;
  const at = Date.parse(task.notBefore);
  if (at <= step.now) return false;
  run.due(step, at);
  return true;
}

/** The user-facing text of a runtime failure: upstream's `"<error text> (<code>): <errors>"` shape. */
export function errorText(error: unknown): string {
  if (error instanceof RuntimeError) {
    const code = error.status !== undefined ? ` (${error.status})` : '';
    return error.message.includes(`(${error.status})`) ? error.message : `${error.message}${code}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * After a failed call: a retryable error schedules another attempt (exponential backoff with jitter) until
 * `maxAttempts` failures, anything else fails the task with the runtime's message. The task's `intent` stays:
 * the next attempt first looks whether this one took effect after all.
 */
export async function retryOrFail(
  run: TaskRun,
  task: DeploymentTask,
  error: unknown,
  what: string,
): Promise<void> {
  const now = run.now();
  const failures = failedAttempts(task) + 1;
  const text = errorText(error);
  const retryable = error instanceof RuntimeError && error.retryable;
  const max = run.options.maxAttempts;
  if (!retryable || failures >= max) {
    const suffix = retryable ? ` (gave up after ${failures} attempts)` : '';
    await run.write(undefined, task, {
      state: 'failed',
      reason: `${what}: ${text}${suffix}`,
      finishedAt: new Date(now).toISOString(),
      result: { ...resultOf(task), failedAttempts: failures },
    });
    return;
  }
  const delay = backoffMs(failures, run.options.retryBaseMs);
  await run.write(undefined, task, {
    reason: `retrying after error (${failures}/${max}): ${text}`,
    notBefore: new Date(now + delay).toISOString(),
    result: { ...resultOf(task), failedAttempts: failures },
  });
}

/** The plan's operation of `task`, if it is of `kind` (a task of another kind is a corrupt plan). */
export function operationOf<K extends TaskOperation['kind']>(
  run: TaskRun,
  task: DeploymentTask,
  kind: K,
): { planTask: PlanTask; operation: Extract<TaskOperation, { kind: K }> } | undefined {
  const planTask = run.planTask(task.id);
  const operation = planTask?.operation;
  if (!planTask || operation?.kind !== kind) return undefined;
  return { planTask, operation: operation as Extract<TaskOperation, { kind: K }> };
}

/** Fails `task` with `reason` (it waits for nothing any more). */
export function failTask(
  run: TaskRun,
  step: Step | undefined,
  task: DeploymentTask,
  reason: string,
): Promise<DeploymentTask> {
  return run.write(step, task, { state: 'failed', reason, waitingFor: [], finishedAt: run.iso(step) });
}

/** The image a job operation runs: the plan's, or the one its build task produced. */
export function imageOf(
  image: PlannedImage,
  tasks: ReadonlyMap<string, DeploymentTask>,
): string | { reason: string } {
  if (image.kind === 'known') return image.image;
  const build = tasks.get(image.task);
  const produced = build ? resultOf(build).image : undefined;
  return produced ?? { reason: `${image.task} has produced no image` };
}
