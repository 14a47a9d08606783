/**
 * Deploy and delete tasks. A deploy upserts the component's job onto its image, restarts it when the image was
 * rebuilt but the spec did not change (upstream's `needs_rerun`), then stays `running` until the job is ready
 * (healthy for `stableForMs`, or registered), so that `successful` means deployed *and* healthy. A crash loop
 * fails it at once; the readiness wait has the same deadline as every wait.
 */
import { jobSpecFor } from '../plan/job-spec.js';
import type { JobChange } from '../runtimes/runtime.js';
import type { DeploymentTask } from './deployment.js';
import type { DeploymentRun, Step } from './deployment-run.js';
import { imageFor } from './image-source.js';
import { applyVerdict, backingOff, retryOrFail } from './task-common.js';
import { CANCELLED_TASK, runLongStatus, shortDuration } from './status-text.js';

export async function advanceDeployTask(run: DeploymentRun, step: Step, task: DeploymentTask): Promise<void> {
  if (task.state === 'running') {
    if (task.result?.['applied'] === true) return verifyJob(run, step, task);
    // Applying again is safe: the upsert is idempotent (a restart or a retry after backoff lands here).
    if (!backingOff(run, step, task)) await applyJob(run, step, task);
    return;
  }
  if (!(await applyVerdict(run, step, task, run.dependencies(step, task)))) return;
  if (busyDeploys(step) >= run.options.deployConcurrency) return;
  await applyJob(run, step, task);
}

/** A new attempt at the runtime call: running, counted, started once, waiting for nothing. */
function newAttempt(
  run: DeploymentRun,
  step: Step,
  task: DeploymentTask,
  reason: string,
): Promise<DeploymentTask> {
  return run.write(step, task, {
    state: 'running',
    attempts: task.attempts + 1,
    startedAt: task.startedAt ?? run.iso(step),
    reason,
    waitingFor: [],
    notBefore: undefined,
  });
}

/** Upserts in flight (or backing off before another try); jobs being verified do not take a slot. */
function busyDeploys(step: Step): number {
  return [...step.tasks.values()].filter(
    (t) => t.kind !== 'build' && t.state === 'running' && t.result?.['applied'] !== true,
  ).length;
}

async function applyJob(run: DeploymentRun, step: Step, task: DeploymentTask): Promise<void> {
  const name = task.component;
  const component = run.component(step, name);
  const image = imageFor(name, step.deployment.plan, step.tasks, run.snapshots.builds);
  if (!component || !image.ok) {
    const reason = component ? (image.ok ? '' : image.reason) : `${name} is not in the deployment's config`;
    await run.write(step, task, { state: 'failed', reason, waitingFor: [], finishedAt: run.iso(step) });
    return;
  }
  const spec = jobSpecFor(component, image.image);
  const decision = run.componentPlan(step, name)?.job;
  const restartWanted = decision?.kind === 'restart' || step.deployment.forceRun || image.rebuilt;
  const written = await newAttempt(run, step, task, `deploying job ${name}`);
  run.fire(
    written,
    async (signal): Promise<{ change: JobChange; restarted: boolean }> => {
      const change = await run.env.runtime.upsertJob(run.tool, spec, { signal });
      // Scheduled jobs are never restarted (upstream): the next run picks the new image up.
      const restart = spec.type === 'continuous' && !change.changed && restartWanted;
      if (restart) await run.env.runtime.restartJob(run.tool, name, { signal });
      return { change, restarted: restart };
    },
    async (outcome) => {
      if (!outcome.ok) return retryOrFail(run, written, outcome.error, 'Failed to deploy job');
      const { change, restarted } = outcome.value;
      const longStatus = runLongStatus(name, change, restarted);
      run.stability.forget(`${run.tool}/${name}`);
      await run.write(undefined, written, {
        reason: longStatus,
        notBefore: undefined,
        result: {
          ...written.result,
          applied: true,
          appliedAt: run.options.now().toISOString(),
          image: image.image,
          changed: change.changed,
          restarted,
          action: change.changed ? 'created-or-updated' : restarted ? 'restarted' : 'unchanged',
          messages: change.messages,
          longStatus,
        },
      });
    },
  );
}

async function verifyJob(run: DeploymentRun, step: Step, task: DeploymentTask): Promise<void> {
  const name = task.component;
  const condition = run.component(step, name)?.type === 'scheduled' ? 'registered' : 'healthy';
  const appliedAt = Date.parse(String(task.result?.['appliedAt'] ?? step.deployment.createdAt));
  const longStatus = String(task.result?.['longStatus'] ?? `deployed job ${name}`);
  const check = run.readiness(step, name, condition, appliedAt);
  const at = run.iso(step);
  if (check.kind === 'ready') {
    await run.write(step, task, { state: 'succeeded', reason: longStatus, finishedAt: at });
    return;
  }
  if (check.kind === 'fail') {
    await run.write(step, task, { state: 'failed', reason: check.reason, finishedAt: at });
    return;
  }
  const timeout = run.options.waitTimeoutMs;
  if (step.now - appliedAt > timeout) {
    const reason = `timed out after ${shortDuration(timeout)} waiting for ${name} to be ${condition} (${check.detail})`;
    await run.write(step, task, { state: 'failed', reason, finishedAt: at });
    return;
  }
  run.due(step, appliedAt + timeout + 1);
  const reason = `waiting for ${name} to be ${condition}: ${check.detail}`;
  if (task.reason !== reason) await run.write(step, task, { reason });
}

export async function advanceDeleteTask(run: DeploymentRun, step: Step, task: DeploymentTask): Promise<void> {
  if (task.state !== 'running') {
    if (!(await applyVerdict(run, step, task, run.dependencies(step, task)))) return;
    if (busyDeploys(step) >= run.options.deployConcurrency) return;
  } else if (backingOff(run, step, task)) {
    return;
  }
  const name = task.component;
  const written = await newAttempt(run, step, task, `deleting job ${name}`);
  run.fire(
    written,
    (signal) => run.env.runtime.deleteJob(run.tool, name, { signal }),
    async (outcome) => {
      if (!outcome.ok) return retryOrFail(run, written, outcome.error, 'Failed to delete job');
      await run.write(undefined, written, {
        state: 'succeeded',
        reason: `deleted job ${name}`,
        notBefore: undefined,
        finishedAt: run.options.now().toISOString(),
      });
    },
  );
}

/** Cancelling: a job already upserted stays (no rollback); one between attempts is given up. */
export async function cancelDeployTask(run: DeploymentRun, step: Step, task: DeploymentTask): Promise<void> {
  const at = run.iso(step);
  if (task.result?.['applied'] === true) {
    const longStatus = String(task.result['longStatus'] ?? `deployed job ${task.component}`);
    await run.write(step, task, {
      state: 'succeeded',
      reason: `${longStatus} (readiness not checked: ${CANCELLED_TASK.toLowerCase()})`,
      finishedAt: at,
    });
    return;
  }
  await run.write(step, task, { state: 'cancelled', reason: CANCELLED_TASK, finishedAt: at });
}
