/**
 * Build tasks: carry out the plan's `start-build` (exactly its request) or `follow-build`, re-attach to a
 * build after a restart, poll it in the shared snapshot, and keep builds-api's quota full without going over.
 *
 * "Never start a build twice": the attempt (intent) is persisted before builds-api is asked, the build id as
 * soon as it answers. When the id never got persisted (the answer was lost, or the server died in between),
 * the build is looked up by image name, repository and start time (≥ the task's first attempt, or none yet: a
 * build still queued) before another is started.
 *
 * Build slots: as many builds start as the quota has free slots (read once per step, see
 * `DeploymentRun.buildSlots`); the rest wait, saying how full the quota is. builds-api's 409 is back-pressure,
 * not a failure: the task waits again and retries after a short backoff or when a build ends.
 */
import { RuntimeError } from '../runtimes/runtime.js';
import type { BuildRequest } from '../model/build-request.js';
import { backoffMs } from '../runtimes/guarded-runtime.js';
import type { BuildRecord } from '../model/observed-state.js';
import { toolImage } from '../plan/job-spec.js';
import type { DeploymentTask } from '../model/deployment.js';
import { QUOTA_RECHECK_MS, type Step, type TaskRun } from './task-run.js';
import { applyVerdict, backingOff, failTask, operationOf, retryOrFail } from './task-common.js';
import { resultOf } from './task-record.js';
import {
  CANCELLED_TASK,
  buildFailedText,
  pythonTimedelta,
  shortDuration,
  waitingForSlotText,
} from './status-text.js';

/** Clock difference tolerated between us and builds-api when matching a build to the attempt that started it. */
const ADOPT_SKEW_MS = 1_000;
/** A build id missing from this many snapshots is gone (deleted, or never existed). */
const MISSING_SNAPSHOTS = 3;
/** After builds-api's 409: retry within at most this long (upstream retries every 10 s). */
const QUOTA_RETRY_MAX_MS = 5_000;

export async function advanceBuildTask(run: TaskRun, step: Step, task: DeploymentTask): Promise<void> {
  if (task.state === 'running') {
    if (task.externalId !== undefined) return pollBuild(run, step, task);
    return resumeBuild(run, step, task);
  }
  if (!(await applyVerdict(run, step, task, run.dependencies(step, task)))) return;
  const follow = operationOf(run, task, 'follow-build');
  if (follow) {
    await run.write(step, task, {
      state: 'running',
      reason: `following build ${follow.operation.buildId}, already running`,
      externalId: follow.operation.buildId,
      attempts: task.attempts + 1,
      startedAt: run.iso(step),
      waitingFor: [],
    });
    return;
  }
  const start = operationOf(run, task, 'start-build');
  if (!start) {
    await failTask(run, step, task, `the plan has no build operation for ${task.component}`);
    return;
  }
  await startWhenPossible(run, step, task, start.operation.request);
}

async function startWhenPossible(
  run: TaskRun,
  step: Step,
  task: DeploymentTask,
  request: BuildRequest,
): Promise<void> {
  if (backingOff(run, step, task)) return;
  // Queued since its first attempt, or since the deployment started when no slot was ever free.
  const queuedSince = Date.parse(task.startedAt ?? step.deployment.startedAt ?? '');
  const queuedFor = Number.isFinite(queuedSince) ? step.now - queuedSince : 0;
  if (task.state === 'waiting' && queuedFor > run.options.buildQueueTimeoutMs) {
    const reason = `Timed out waiting for the build queue to free a slot, waited for ${pythonTimedelta(queuedFor)}`;
    await run.write(step, task, { state: 'failed', reason, waitingFor: [], finishedAt: run.iso(step) });
    return;
  }
  const slots = await run.buildSlots(step);
  if (slots.free <= 0) {
    const reason = waitingForSlotText(slots.quota);
    // A build ending wakes the loop; the quota may also free up through another deployment's builds.
    run.due(step, step.now + QUOTA_RECHECK_MS);
    if (task.state !== 'waiting' || task.reason !== reason)
      await run.write(step, task, { state: 'waiting', reason, waitingFor: [] });
    return;
  }
  slots.free -= 1;
  await startBuild(run, step, task, request);
}

/** Persists the attempt first, then asks the runtime; the answer's build id is persisted before anything else. */
async function startBuild(
  run: TaskRun,
  step: Step,
  task: DeploymentTask,
  request: BuildRequest,
): Promise<void> {
  const attempt = task.attempts + 1;
  const at = run.iso(step);
  const written = await run.write(step, task, {
    state: 'running',
    attempts: attempt,
    // The first attempt's time stays: re-attaching looks for builds started since then.
    startedAt: task.startedAt ?? at,
    reason: attempt > 1 ? `starting build (attempt ${attempt})` : 'starting build',
    waitingFor: [],
    notBefore: undefined,
    result: { ...resultOf(task), intent: { op: 'start-build', at } },
  });
  run.starting.add(task.id);
  run.fire(
    written,
    (signal) => run.env.runtime.startBuild(run.tool, request, { signal }),
    async (outcome) => {
      run.starting.delete(task.id);
      if (outcome.ok) {
        const { id, resolvedCommit } = outcome.value;
        await run.write(undefined, written, {
          externalId: id,
          reason: `building (build ${id})`,
          result: {
            ...resultOf(written),
            buildId: id,
            ...(resolvedCommit !== undefined ? { resolvedCommit } : {}),
          },
        });
      } else if (outcome.error instanceof RuntimeError && outcome.error.kind === 'quota') {
        // Back-pressure, not a failure: builds-api refused before starting anything (a 409 is an answer).
        const delay = backoffMs(attempt, Math.min(run.options.retryBaseMs, 1_000), QUOTA_RETRY_MAX_MS);
        await run.write(undefined, written, {
          state: 'waiting',
          reason: `waiting for a build slot (builds-api: ${outcome.error.message})`,
          notBefore: new Date(run.now() + delay).toISOString(),
          result: { ...resultOf(written), intent: undefined },
        });
      } else {
        await retryOrFail(run, written, outcome.error, 'Build failed to start');
      }
    },
  );
}

/** A running build task without a build id: re-attach to the build an earlier attempt started, or start one. */
async function resumeBuild(run: TaskRun, step: Step, task: DeploymentTask): Promise<void> {
  if (backingOff(run, step, task)) return;
  const start = operationOf(run, task, 'start-build');
  if (!start) {
    await failTask(run, step, task, `the plan has no build operation for ${task.component}`);
    return;
  }
  const request = start.operation.request;
  // Only a snapshot taken after the last attempt ended can show the build that attempt may have created.
  const after = Math.max(run.attemptEnded.get(task.id) ?? 0, task.notBefore ? Date.parse(task.notBefore) : 0);
  const snapshot = run.snapshotSince(step, after, 'builds');
  if (!snapshot) return;
  const found = adoptable(step, task, request, snapshot.builds);
  if (found) {
    await run.write(step, task, {
      externalId: found.id,
      reason: `building (re-attached to build ${found.id})`,
      notBefore: undefined,
      result: { ...resultOf(task), buildId: found.id },
    });
    return pollBuild(run, step, step.tasks.get(task.id) ?? task);
  }
  // Nothing was started: this is a new attempt, and it takes a slot like any other.
  const slots = await run.buildSlots(step);
  if (slots.free <= 0) {
    run.due(step, step.now + QUOTA_RECHECK_MS);
    const reason = waitingForSlotText(slots.quota);
    if (task.reason !== reason)
      await run.write(step, task, { state: 'waiting', reason, externalId: undefined });
    return;
  }
  slots.free -= 1;
  await startBuild(run, step, task, request);
}

function adoptable(
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
    .filter((b) => (b.startedAt === undefined ? b.state === 'pending' : Date.parse(b.startedAt) >= since))
    .sort((a, b) => startedMs(a) - startedMs(b))[0];
}

/**
 * A build's start time (ms). builds-api sends `start_time: ""` while a build is queued: such a build started no
 * earlier than anything listed, so it counts as the newest (as `findStartedBuild` in the Toolforge runtime).
 */
function startedMs(build: BuildRecord): number {
  return build.startedAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(build.startedAt);
}

async function pollBuild(run: TaskRun, step: Step, task: DeploymentTask): Promise<void> {
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
        ...resultOf(task),
        buildId,
        image,
        intent: undefined,
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
export async function cancelBuildTask(run: TaskRun, step: Step, task: DeploymentTask): Promise<void> {
  let buildId = task.externalId;
  const start = operationOf(run, task, 'start-build');
  const snapshot = run.snapshots.builds;
  if (buildId === undefined && start && snapshot)
    buildId = adoptable(step, task, start.operation.request, snapshot.builds)?.id;
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
