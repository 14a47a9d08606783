/**
 * Build tasks: start (or reuse, or follow) the component's build, re-attach to it after a restart, poll it in
 * the shared snapshot, and wait for a free slot when builds-api's quota is full.
 *
 * "Never start a build twice": the build id is persisted as soon as builds-api answers. When it never got
 * persisted (the answer was lost, or the server died in between), the build is looked up by image name,
 * repository and start time (≥ the task's first attempt) before another is started.
 */
import { RuntimeError, type BuildRequest } from '../runtimes/runtime.js';
import type { BuildRecord } from '../status/observed-state.js';
import { toolImage } from '../plan/job-spec.js';
import type { DeploymentTask } from './deployment.js';
import type { DeploymentRun, Step } from './deployment-run.js';
import { applyVerdict, backingOff, retryOrFail } from './task-common.js';
import { backoffMs } from './retry.js';
import {
  CANCELLED_TASK,
  WAITING_FOR_BUILD_SLOT,
  buildFailedText,
  pythonTimedelta,
  shortDuration,
} from './status-text.js';

/** Clock difference tolerated between us and builds-api when matching a build to the attempt that started it. */
const ADOPT_SKEW_MS = 1_000;
/** A build id missing from this many snapshots is gone (deleted, or never existed). */
const MISSING_SNAPSHOTS = 3;
/** builds-api's quota: retry at least every 10 s, as upstream does. */
const QUOTA_RETRY_MAX_MS = 10_000;

export async function advanceBuildTask(run: DeploymentRun, step: Step, task: DeploymentTask): Promise<void> {
  if (task.state === 'running') {
    if (task.externalId !== undefined) return pollBuild(run, step, task);
    return resumeBuild(run, step, task);
  }
  if (!(await applyVerdict(run, step, task, run.dependencies(step, task)))) return;
  const decision = run.componentPlan(step, task.component)?.build;
  const at = run.iso(step);
  switch (decision?.kind) {
    case undefined:
      await run.write(step, task, {
        state: 'failed',
        reason: `the plan has no build for ${task.component}`,
        finishedAt: at,
      });
      return;
    case 'reuse-build':
      await run.write(step, task, {
        state: 'succeeded',
        reason: 'Reusing existing build',
        externalId: decision.buildId,
        result: {
          buildId: decision.buildId,
          ...(decision.image !== undefined ? { image: decision.image } : {}),
          reused: true,
        },
        startedAt: at,
        finishedAt: at,
      });
      return;
    case 'follow-build':
      await run.write(step, task, {
        state: 'running',
        reason: `following build ${decision.buildId}, already running`,
        externalId: decision.buildId,
        attempts: task.attempts + 1,
        startedAt: at,
        waitingFor: [],
      });
      return;
    case 'shared-build':
    case 'from-component':
      await run.write(step, task, {
        state: 'succeeded',
        reason: `Component re-uses build from ${decision.component}`,
        startedAt: at,
        finishedAt: at,
      });
      return;
    case 'build':
      return startWhenPossible(run, step, task);
  }
}

async function startWhenPossible(run: DeploymentRun, step: Step, task: DeploymentTask): Promise<void> {
  if (backingOff(run, step, task)) return;
  const queuedFor = task.startedAt !== undefined ? step.now - Date.parse(task.startedAt) : 0;
  if (task.state === 'waiting' && queuedFor > run.options.buildQueueTimeoutMs) {
    const reason = `Timed out waiting for the build queue to free a slot, waited for ${pythonTimedelta(queuedFor)}`;
    await run.write(step, task, { state: 'failed', reason, waitingFor: [], finishedAt: run.iso(step) });
    return;
  }
  const running = [...step.tasks.values()].filter((t) => t.kind === 'build' && t.state === 'running').length;
  if (running >= run.options.buildConcurrency) return;
  const request = buildRequest(run, step, task);
  if (typeof request === 'string') {
    await run.write(step, task, { state: 'failed', reason: request, finishedAt: run.iso(step) });
    return;
  }
  await startBuild(run, step, task, request);
}

/** Persists the attempt first, then asks the runtime; the answer's build id is persisted before anything else. */
async function startBuild(
  run: DeploymentRun,
  step: Step,
  task: DeploymentTask,
  request: BuildRequest,
): Promise<void> {
  const attempt = task.attempts + 1;
  const written = await run.write(step, task, {
    state: 'running',
    attempts: attempt,
    // The first attempt's time stays: re-attaching looks for builds started since then.
    startedAt: task.startedAt ?? run.iso(step),
    reason: attempt > 1 ? `starting build (attempt ${attempt})` : 'starting build',
    waitingFor: [],
    notBefore: undefined,
  });
  run.fire(
    written,
    (signal) => run.env.runtime.startBuild(run.tool, request, { signal }),
    async (outcome) => {
      run.attemptEnded.set(task.id, run.now());
      if (outcome.ok) {
        const { id, resolvedCommit } = outcome.value;
        await run.write(undefined, written, {
          externalId: id,
          reason: `building (build ${id})`,
          result: {
            ...written.result,
            buildId: id,
            ...(resolvedCommit !== undefined ? { resolvedCommit } : {}),
          },
        });
      } else if (outcome.error instanceof RuntimeError && outcome.error.kind === 'quota') {
        // Not a failure: builds-api will have a slot later. The wait has its own deadline (startWhenPossible).
        const delay = backoffMs(attempt, run.options.retryBaseMs, QUOTA_RETRY_MAX_MS);
        await run.write(undefined, written, {
          state: 'waiting',
          reason: WAITING_FOR_BUILD_SLOT,
          notBefore: new Date(run.now() + delay).toISOString(),
        });
      } else {
        await retryOrFail(run, written, outcome.error, 'Build failed to start');
      }
    },
  );
}

/** A running build task without a build id: re-attach to the build an earlier attempt started, or start one. */
async function resumeBuild(run: DeploymentRun, step: Step, task: DeploymentTask): Promise<void> {
  if (backingOff(run, step, task)) return;
  const request = buildRequest(run, step, task);
  if (typeof request === 'string') {
    await run.write(step, task, { state: 'failed', reason: request, finishedAt: run.iso(step) });
    return;
  }
  // Only a snapshot taken after the last attempt ended can show the build that attempt may have created.
  const after = Math.max(run.attemptEnded.get(task.id) ?? 0, task.notBefore ? Date.parse(task.notBefore) : 0);
  const snapshot = run.snapshotSince(step, after, 'builds');
  if (!snapshot) return;
  const found = adoptable(run, step, task, request, snapshot.builds);
  if (found) {
    await run.write(step, task, {
      externalId: found.id,
      reason: `building (re-attached to build ${found.id})`,
      notBefore: undefined,
    });
    return pollBuild(run, step, step.tasks.get(task.id) ?? task);
  }
  await startBuild(run, step, task, request);
}

function adoptable(
  run: DeploymentRun,
  step: Step,
  task: DeploymentTask,
  request: BuildRequest,
  builds: readonly BuildRecord[],
): BuildRecord | undefined {
  if (task.startedAt === undefined) return undefined;
  const since = Date.parse(task.startedAt) - ADOPT_SKEW_MS;
  const claimed = new Set([...step.tasks.values()].map((t) => t.externalId).filter((id) => id !== undefined));
  return builds
    .filter(
      (b) => b.imageName === request.imageName && b.repository === request.repository && !claimed.has(b.id),
    )
    .filter((b) => b.startedAt !== undefined && Date.parse(b.startedAt) >= since)
    .sort((a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? ''))[0];
}

async function pollBuild(run: DeploymentRun, step: Step, task: DeploymentTask): Promise<void> {
  const snapshot = run.snapshots.builds;
  const buildId = task.externalId;
  if (!snapshot || buildId === undefined) return;
  const record = snapshot.builds.find((b) => b.id === buildId);
  const at = run.iso(step);
  if (!record) {
    const seen = run.missing.get(task.id) ?? new Set<number>();
    seen.add(snapshot.takenAt);
    run.missing.set(task.id, seen);
    if (seen.size >= MISSING_SNAPSHOTS) {
      await run.write(step, task, {
        state: 'failed',
        reason: `build ${buildId} not found, maybe it was deleted?`,
        finishedAt: at,
      });
    }
    return;
  }
  run.missing.delete(task.id);
  if (record.state === 'successful') {
    const image = record.image ?? toolImage(run.tool, record.imageName);
    await run.write(step, task, {
      state: 'succeeded',
      reason: `built ${image}`,
      result: {
        ...task.result,
        buildId,
        image,
        ...(record.resolvedCommit ? { resolvedCommit: record.resolvedCommit } : {}),
      },
      finishedAt: at,
    });
    return;
  }
  if (record.state === 'failed' || record.state === 'cancelled') {
    await run.write(step, task, {
      state: 'failed',
      reason: buildFailedText(task.component, buildId, record.message),
      finishedAt: at,
    });
    return;
  }
  const runningFor = task.startedAt !== undefined ? step.now - Date.parse(task.startedAt) : 0;
  if (runningFor > run.options.buildTimeoutMs) {
    const reason = `Build took too long to finish (over ${shortDuration(run.options.buildTimeoutMs)}): ${task.component}(id:${buildId})`;
    await run.write(step, task, { state: 'failed', reason, finishedAt: at });
    run.fireAndForget((signal) => run.env.runtime.cancelBuild(run.tool, buildId, { signal }));
  }
}

/** Cancelling: a started build is cancelled in builds-api (errors ignored, as upstream does). */
export async function cancelBuildTask(run: DeploymentRun, step: Step, task: DeploymentTask): Promise<void> {
  let buildId = task.externalId;
  if (buildId === undefined) {
    const request = buildRequest(run, step, task);
    const snapshot = run.snapshots.builds;
    if (typeof request !== 'string' && snapshot)
      buildId = adoptable(run, step, task, request, snapshot.builds)?.id;
  }
  await run.write(step, task, {
    state: 'cancelled',
    reason: CANCELLED_TASK,
    finishedAt: run.iso(step),
    ...(buildId !== undefined ? { externalId: buildId } : {}),
  });
  if (buildId !== undefined) {
    const id = buildId;
    run.fireAndForget((signal) => run.env.runtime.cancelBuild(run.tool, id, { signal }));
  }
}

/** What to ask builds-api for, from the deployment's config; a string says why it cannot be built. */
function buildRequest(run: DeploymentRun, step: Step, task: DeploymentTask): BuildRequest | string {
  const component = run.component(step, task.component);
  if (!component) return `${task.component} is not in the deployment's config`;
  if (component.build.kind !== 'source') return `${task.component} re-uses another component's build`;
  const { repository, ref, useLatestVersions, useDeprecatedVersions, envvars } = component.build;
  return {
    imageName: component.name,
    repository,
    ...(ref !== undefined ? { ref } : {}),
    useLatestVersions,
    useDeprecatedVersions,
    envvars: envvars ?? {},
  };
}
