/**
 * Deploy and delete tasks: carry out the plan's `upsert-job` / `delete-job`, exactly once in effect.
 *
 * A deploy upserts the plan's job spec on its image; only when the plan asks for a restart (image rebuilt, or
 * `--force-run`) and the upsert left the job unchanged is the job restarted (upstream's `needs_rerun`). It then
 * stays `running` until the job is ready by the plan's readiness rule, so that `successful` means deployed
 * *and* healthy. A crash loop fails it at once; the readiness wait has the same deadline as every wait.
 *
 * Exactly once: each call's intent is stored before it is sent and its effect after (task-record.ts). An
 * attempt whose answer never came (a lost response, a time-out, a killed server) leaves the intent without an
 * effect; the next attempt first looks at the job:
 * - it has the operation's spec and image: the earlier attempt applied it. For a create or update that means
 *   this deployment changed the job, so it is never restarted because of it (a restart would take down a web
 *   service that just came up);
 * - it does not: the upsert is sent again (it is idempotent).
 * A restart whose answer was lost counts as done when the job is seen (re)starting since the attempt.
 * "The upsert changed the job" is stored once seen, so a retry that finds the job unchanged (by the earlier
 * attempt) cannot turn it into a restart.
 */
import { diffJob, withImage } from '../plan/job-spec.js';
import type { PlanTask, TaskOperation } from '../model/plan.js';
import type { JobSpec } from '../model/job-spec.js';
import type { JobRecord } from '../model/observed-state.js';
import type { DeploymentTask } from '../model/deployment.js';
import type { Step, TaskRun } from './task-run.js';
import { applyVerdict, backingOff, failTask, imageOf, operationOf, retryOrFail } from './task-common.js';
import { isApplied, resultOf, type DeployResult } from './task-record.js';
import { waitDeadlineOf } from './wait-deadline.js';
import { CANCELLED_TASK, runLongStatus, shortDuration } from './status-text.js';
import { advanceRunOnceTask } from './task-run-once.js';

type Upsert = Extract<TaskOperation, { kind: 'upsert-job' }>;

/** Clock difference tolerated between us and the runtime when dating a restart against its attempt. */
const RESTART_SKEW_MS = 1_000;

export async function advanceDeployTask(run: TaskRun, step: Step, task: DeploymentTask): Promise<void> {
  // A one-off component's deploy task is its run (task-run-once.ts).
  const runOnce = operationOf(run, task, 'run-once');
  if (runOnce) return advanceRunOnceTask(run, step, task, runOnce.operation, () => busyDeploys(step));
  const planned = operationOf(run, task, 'upsert-job');
  if (!planned) {
    await failTask(run, step, task, `the plan has no job operation for ${task.component}`);
    return;
  }
  const { planTask, operation } = planned;
  if (task.state === 'running') {
    if (isApplied(task)) return verifyJob(run, step, task, planTask);
    if (!backingOff(run, step, task)) await continueApply(run, step, task, operation);
    return;
  }
  if (!(await applyVerdict(run, step, task, run.dependencies(step, task)))) return;
  if (busyDeploys(step) >= run.options.deployConcurrency) return;
  const image = imageOf(operation.image, step.tasks);
  if (typeof image !== 'string') {
    await failTask(run, step, task, image.reason);
    return;
  }
  await sendUpsert(run, step, task, withImage(operation.spec, image));
}

/** Upserts in flight (or backing off before another try); jobs being verified do not take a slot. */
function busyDeploys(step: Step): number {
  return [...step.tasks.values()].filter((t) => t.kind !== 'build' && t.state === 'running' && !isApplied(t))
    .length;
}

/** A running deploy that is not applied yet: where the last attempt left it. */
async function continueApply(run: TaskRun, step: Step, task: DeploymentTask, op: Upsert): Promise<void> {
  const result = resultOf(task);
  const spec = result.image !== undefined ? withImage(op.spec, result.image) : undefined;
  if (spec === undefined) {
    // Resumed before any attempt was recorded: start from the beginning.
    const image = imageOf(op.image, step.tasks);
    if (typeof image !== 'string') return void (await failTask(run, step, task, image.reason));
    return sendUpsert(run, step, task, withImage(op.spec, image));
  }
  if (result.intent?.op === 'restart') return continueRestart(run, step, task);
  if (result.upserted === true) return afterUpsert(run, step, task, op);
  // An upsert attempt whose outcome is unknown: look before sending it again.
  const job = lookAtJob(run, step, task);
  if (job === 'no-snapshot') return;
  if (job && matches(spec, job)) {
    // Applied by our earlier attempt. For a create or update that is a change by this deployment: never a
    // reason to restart. A planned restart (same spec) still follows: the match says nothing there.
    const changed = result.changed === true || op.restart === undefined;
    const next = await run.write(step, task, {
      result: { ...result, upserted: true, changed, intent: undefined },
    });
    return afterUpsert(run, step, next, op);
  }
  await sendUpsert(run, step, task, spec);
}

/** The job as the latest jobs list taken after the last attempt shows it; `no-snapshot` until there is one. */
function lookAtJob(run: TaskRun, step: Step, task: DeploymentTask): JobRecord | undefined | 'no-snapshot' {
  const after = Math.max(
    run.attemptEnded.get(task.id) ?? 0,
    Date.parse(resultOf(task).intent?.at ?? '') || 0,
  );
  const snapshot = run.snapshotSince(step, after, 'jobs');
  if (!snapshot) return 'no-snapshot';
  return snapshot.jobs.find((j) => j.name === task.component);
}

/** The job runs this spec on this image (image compared by repository path, as the planner does). */
function matches(spec: JobSpec, job: JobRecord): boolean {
  return diffJob(spec, job).length === 0;
}

async function sendUpsert(run: TaskRun, step: Step, task: DeploymentTask, spec: JobSpec): Promise<void> {
  const at = run.iso(step);
  const written = await run.write(step, task, {
    state: 'running',
    attempts: task.attempts + 1,
    startedAt: task.startedAt ?? at,
    reason: `deploying job ${spec.name}`,
    waitingFor: [],
    notBefore: undefined,
    result: { ...resultOf(task), image: spec.image, intent: { op: 'upsert', at } },
  });
  run.fire(
    written,
    (signal) => run.env.runtime.upsertJob(run.tool, spec, { signal }),
    async (outcome) => {
      if (!outcome.ok) return retryOrFail(run, written, outcome.error, 'Failed to deploy job');
      const result = resultOf(written);
      const next = await run.write(undefined, written, {
        notBefore: undefined,
        result: {
          ...result,
          upserted: true,
          // Sticky: a retry that finds the job already changed (by the attempt before) stays a change.
          changed: result.changed === true || outcome.value.changed,
          messages: outcome.value.messages,
          intent: undefined,
        },
      });
      const op = operationOf(run, next, 'upsert-job')?.operation;
      // The restart, when one is due, is the next step's: this completion holds the task's only call slot.
      if (op && !restartDue(op, resultOf(next))) await markApplied(run, undefined, next, false);
    },
  );
}

/** A restart is due only when the plan asks for one and no attempt of this deployment changed the job. */
function restartDue(op: Upsert, result: DeployResult): boolean {
  return op.restart !== undefined && op.spec.type === 'continuous' && result.changed !== true;
}

async function afterUpsert(run: TaskRun, step: Step, task: DeploymentTask, op: Upsert): Promise<void> {
  if (!restartDue(op, resultOf(task))) return markApplied(run, step, task, false);
  await sendRestart(run, step, task);
}

async function sendRestart(run: TaskRun, step: Step, task: DeploymentTask): Promise<void> {
  const at = run.iso(step);
  const written = await run.write(step, task, {
    attempts: task.attempts + 1,
    reason: `restarting job ${task.component}`,
    notBefore: undefined,
    result: { ...resultOf(task), intent: { op: 'restart', at } },
  });
  run.fire(
    written,
    (signal) => run.env.runtime.restartJob(run.tool, task.component, { signal }),
    async (outcome) => {
      if (!outcome.ok) return retryOrFail(run, written, outcome.error, 'Failed to restart job');
      await markApplied(run, undefined, written, true);
    },
  );
}

/** A restart whose answer was lost: done if the job is seen (re)starting since the attempt, else sent again. */
async function continueRestart(run: TaskRun, step: Step, task: DeploymentTask): Promise<void> {
  const job = lookAtJob(run, step, task);
  if (job === 'no-snapshot') return;
  const since = Date.parse(resultOf(task).intent?.at ?? '') - RESTART_SKEW_MS;
  const snapshot = run.snapshots.jobs;
  const restarted =
    job !== undefined &&
    (job.state === 'pending' ||
      (job.runningForMs !== undefined &&
        snapshot !== undefined &&
        snapshot.takenAt - job.runningForMs >= since));
  if (restarted) return markApplied(run, step, task, true);
  await sendRestart(run, step, task);
}

/** The job is applied: store the effect (and upstream's run long status); readiness is checked from now on. */
async function markApplied(
  run: TaskRun,
  step: Step | undefined,
  task: DeploymentTask,
  restarted: boolean,
): Promise<void> {
  const result = resultOf(task);
  const changed = result.changed === true;
  const messages = result.messages ?? { info: [], warning: [], error: [] };
  const longStatus = runLongStatus(task.component, { changed, messages }, restarted);
  run.stability.forget(`${run.tool}/${task.component}`);
  const patch: DeployResult = {
    ...result,
    intent: undefined,
    appliedAt: new Date(run.now()).toISOString(),
    changed,
    restarted,
    action: changed ? 'created-or-updated' : restarted ? 'restarted' : 'unchanged',
    messages,
    longStatus,
  };
  await run.write(step, task, { reason: longStatus, notBefore: undefined, result: { ...patch } });
}

async function verifyJob(run: TaskRun, step: Step, task: DeploymentTask, planTask: PlanTask): Promise<void> {
  const name = task.component;
  const ready = planTask.ready;
  const result = resultOf(task);
  const appliedAt = Date.parse(result.appliedAt ?? step.deployment.createdAt);
  const longStatus = result.longStatus ?? `deployed job ${name}`;
  if (ready.kind === 'completed') {
    await run.write(step, task, { state: 'succeeded', reason: longStatus, finishedAt: run.iso(step) });
    return;
  }
  const check = run.readiness(step, name, ready, appliedAt);
  const at = run.iso(step);
  if (check.kind === 'ready') {
    if (check.readyAt !== undefined) run.learnReady(planTask, task, check.readyAt);
    await run.write(step, task, { state: 'succeeded', reason: longStatus, finishedAt: at });
    return;
  }
  if (check.kind === 'fail') {
    await run.write(step, task, { state: 'failed', reason: check.reason, finishedAt: at });
    return;
  }
  const deadline = waitDeadlineOf(step.deployment, appliedAt, run.options.waitTimeoutMs);
  if (step.now > deadline.at) {
    const reason = `timed out after ${shortDuration(deadline.timeoutMs)} waiting for ${name} to be ${ready.kind} (${check.detail})`;
    await run.write(step, task, { state: 'failed', reason, finishedAt: at });
    return;
  }
  run.due(step, deadline.at + 1);
  const reason = `waiting for ${name} to be ${ready.kind}: ${check.detail}`;
  if (task.reason !== reason) await run.write(step, task, { reason });
}

export async function advanceDeleteTask(run: TaskRun, step: Step, task: DeploymentTask): Promise<void> {
  const planned = operationOf(run, task, 'delete-job');
  if (!planned) {
    await failTask(run, step, task, `the plan has no delete operation for ${task.component}`);
    return;
  }
  if (task.state !== 'running') {
    if (!(await applyVerdict(run, step, task, run.dependencies(step, task)))) return;
    if (busyDeploys(step) >= run.options.deployConcurrency) return;
  } else if (backingOff(run, step, task)) {
    return;
  }
  const name = planned.operation.name;
  const at = run.iso(step);
  // Deleting is idempotent (a missing job is deleted already): a retry needs no look first.
  const written = await run.write(step, task, {
    state: 'running',
    attempts: task.attempts + 1,
    startedAt: task.startedAt ?? at,
    reason: `deleting job ${name}`,
    waitingFor: [],
    notBefore: undefined,
    result: { ...resultOf(task), intent: { op: 'delete', at } },
  });
  run.fire(
    written,
    (signal) => run.env.runtime.deleteJob(run.tool, name, { signal }),
    async (outcome) => {
      if (!outcome.ok) return retryOrFail(run, written, outcome.error, 'Failed to delete job');
      await run.write(undefined, written, {
        state: 'succeeded',
        reason: `deleted job ${name}`,
        notBefore: undefined,
        finishedAt: new Date(run.now()).toISOString(),
        result: { ...resultOf(written), intent: undefined },
      });
    },
  );
}

/** Cancelling: a job already upserted stays (no rollback); one between attempts is given up. */
export async function cancelDeployTask(run: TaskRun, step: Step, task: DeploymentTask): Promise<void> {
  const at = run.iso(step);
  // A one-off run already started is left to finish, but it did not complete for this deployment.
  if (isApplied(task) && !operationOf(run, task, 'run-once')) {
    const longStatus = resultOf(task).longStatus ?? `deployed job ${task.component}`;
    await run.write(step, task, {
      state: 'succeeded',
      reason: `${longStatus} (readiness not checked: ${CANCELLED_TASK.toLowerCase()})`,
      finishedAt: at,
    });
    return;
  }
  await run.write(step, task, { state: 'cancelled', reason: CANCELLED_TASK, finishedAt: at });
}
