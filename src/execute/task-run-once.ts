/**
 * Run tasks: a one-off component's `run-once` operation. The task starts one run of the job and follows it
 * until it ends; it succeeds only when the run exited 0, which is what a `completed` wait-for edge waits for.
 * A failed run (non-zero exit after its retries, or its timeout) fails the task with the exit code and the
 * last lines of its log, so its dependents are skipped and what they run stays as it is.
 *
 * Exactly once: the intent is stored before `runOnce` is sent. An attempt whose answer was lost is looked at
 * first: a run of this spec started since the intent is this attempt's run and is followed, never started
 * again (a migration twice is what this is all about avoiding).
 *
 * Timeout: the local runtime stops a run at its `timeout` itself; jobs-api has no timeout for one-off jobs
 * (its reference gives `timeout` to scheduled jobs only), so a run still going `timeout` + a grace period
 * after it started is stopped here (its job deleted) and the task fails. Without a timeout the deployment's
 * wait deadline bounds the run.
 */
import { diffOneOff, withImage } from '../plan/job-spec.js';
import type { TaskOperation } from '../model/plan.js';
import type { JobSpec } from '../model/job-spec.js';
import type { JobRecord } from '../model/observed-state.js';
import type { DeploymentTask } from '../model/deployment.js';
import type { Step, TaskRun } from './task-run.js';
import { applyVerdict, backingOff, failTask, imageOf, retryOrFail } from './task-common.js';
import { isApplied, resultOf } from './task-record.js';
import { waitDeadlineOf } from './wait-deadline.js';
import { shortDuration } from './status-text.js';

type RunOnce = Extract<TaskOperation, { kind: 'run-once' }>;

/** Clock difference tolerated between us and the runtime when dating a run against its attempt. */
const RUN_SKEW_MS = 1_000;
/** How long past its own timeout a run may still be reported running before it is stopped from here. */
export const RUN_TIMEOUT_GRACE_MS = 5_000;
/**
 * How far before the run's start a log line may be dated and still be quoted as this run's. Smaller than
 * `RUN_SKEW_MS`: a line of the previous run quoted as this one's misleads more than a missing first line.
 */
const LOG_SKEW_MS = 250;
/** Log lines a failure quotes. */
const LOG_LINES = 10;

export async function advanceRunOnceTask(
  run: TaskRun,
  step: Step,
  task: DeploymentTask,
  operation: RunOnce,
  busy: () => number,
): Promise<void> {
  if (task.state === 'running') {
    if (isApplied(task)) return followRun(run, step, task, operation);
    if (backingOff(run, step, task)) return;
    return continueStart(run, step, task, operation);
  }
  if (!(await applyVerdict(run, step, task, run.dependencies(step, task)))) return;
  if (busy() >= run.options.deployConcurrency) return;
  const image = imageOf(operation.image, step.tasks);
  if (typeof image !== 'string') return void (await failTask(run, step, task, image.reason));
  if (operation.attach) return attach(run, step, task, image);
  await sendRun(run, step, task, withImage(operation.spec, image));
}

/** The plan saw this spec's run still going: follow it from now on, without starting another. */
async function attach(run: TaskRun, step: Step, task: DeploymentTask, image: string): Promise<void> {
  const at = run.iso(step);
  const written = await run.write(step, task, {
    state: 'running',
    startedAt: task.startedAt ?? at,
    waitingFor: [],
    result: { ...resultOf(task), image },
  });
  await markStarted(run, step, written);
}

async function sendRun(run: TaskRun, step: Step, task: DeploymentTask, spec: JobSpec): Promise<void> {
  const at = run.iso(step);
  const written = await run.write(step, task, {
    state: 'running',
    attempts: task.attempts + 1,
    startedAt: task.startedAt ?? at,
    reason: `starting one-off job ${spec.name}`,
    waitingFor: [],
    notBefore: undefined,
    result: { ...resultOf(task), image: spec.image, intent: { op: 'run-once', at } },
  });
  run.fire(
    written,
    (signal) => run.env.runtime.runOnce(run.tool, spec, { signal }),
    async (outcome) => {
      if (!outcome.ok) return retryOrFail(run, written, outcome.error, 'Failed to start one-off job');
      await markStarted(run, undefined, written);
    },
  );
}

/** The run started: from now on its job's `lastRun` is this run's. */
async function markStarted(run: TaskRun, step: Step | undefined, task: DeploymentTask): Promise<void> {
  const name = task.component;
  await run.write(step, task, {
    reason: `running one-off job ${name}`,
    notBefore: undefined,
    result: {
      ...resultOf(task),
      intent: undefined,
      appliedAt: new Date(run.now()).toISOString(),
      changed: true,
      action: 'created-or-updated',
      longStatus: `ran one-off job ${name}`,
    },
  });
}

/** An attempt whose outcome is unknown: a run of this spec started since is its run; else send it again. */
async function continueStart(run: TaskRun, step: Step, task: DeploymentTask, op: RunOnce): Promise<void> {
  const result = resultOf(task);
  const image = result.image ?? imageOf(op.image, step.tasks);
  if (typeof image !== 'string') return void (await failTask(run, step, task, image.reason));
  const spec = withImage(op.spec, image);
  const since = Date.parse(result.intent?.at ?? '');
  if (!Number.isFinite(since)) return sendRun(run, step, task, spec);
  const after = Math.max(run.attemptEnded.get(task.id) ?? 0, since);
  const snapshot = run.snapshotSince(step, after, 'jobs');
  if (!snapshot) return;
  const job = snapshot.jobs.find((j) => j.name === task.component);
  if (job && startedSince(job, spec, since - RUN_SKEW_MS)) return markStarted(run, step, task);
  await sendRun(run, step, task, spec);
}

function startedSince(job: JobRecord, spec: JobSpec, since: number): boolean {
  const started = Date.parse(job.lastRun?.startedAt ?? '');
  // A run not dated yet (pending) of exactly this spec can only be the one just asked for.
  const recent = Number.isFinite(started) ? started >= since : job.lastRun?.state === 'pending';
  return recent && diffOneOff(spec, job).length === 0;
}

async function followRun(run: TaskRun, step: Step, task: DeploymentTask, op: RunOnce): Promise<void> {
  const name = task.component;
  const result = resultOf(task);
  const startedAt = Date.parse(result.appliedAt ?? step.deployment.createdAt);
  // Strictly after the run was started: a list taken in the same millisecond may predate it and show the
  // previous run's end (which would pass or fail this task for a run it never saw).
  const snapshot = run.snapshotSince(step, startedAt + 1, 'jobs');
  if (!snapshot) return;
  const job = snapshot.jobs.find((j) => j.name === name);
  // A record of another spec is an earlier run's (or someone else's): this run has not shown up yet.
  const ours =
    job && result.image !== undefined && diffOneOff(withImage(op.spec, result.image), job).length === 0;
  const last = ours ? job.lastRun : undefined;
  if (last?.state === 'succeeded') {
    await run.write(step, task, {
      state: 'succeeded',
      reason: `${name} completed (exit code 0)`,
      finishedAt: run.iso(step),
      result: { ...resultOf(task), exitCode: last.exitCode ?? 0 },
    });
    return;
  }
  if (last?.state === 'failed') {
    const code = last.exitCode !== undefined ? ` with exit code ${last.exitCode}` : '';
    const why = last.message ? `: ${last.message}` : '';
    const written = await run.write(step, task, {
      reason: `${name} failed${code}${why}; reading its log`,
      ...(last.exitCode !== undefined ? { result: { ...resultOf(task), exitCode: last.exitCode } } : {}),
    });
    failWithLog(run, written, `${name} failed${code}${why}`);
    return;
  }
  const timeoutMs = (op.spec.timeout ?? 0) * 1000;
  const wait = waitDeadlineOf(step.deployment, startedAt, run.options.waitTimeoutMs);
  const deadline = timeoutMs > 0 ? startedAt + timeoutMs + RUN_TIMEOUT_GRACE_MS : wait.at;
  if (step.now > deadline) {
    const reason =
      timeoutMs > 0
        ? `${name} timed out after ${shortDuration(timeoutMs)}`
        : `timed out after ${shortDuration(wait.timeoutMs)} waiting for ${name} to complete`;
    const written = await run.write(step, task, { reason: `${reason}; stopping it` });
    failWithLog(run, written, reason, true);
    return;
  }
  run.due(step, deadline + 1);
  const reason = `waiting for ${name} to complete: ${last ? last.state : 'not started yet'}`;
  if (task.reason !== reason) await run.write(step, task, { reason });
}

/**
 * Fails the task with `reason` and the last lines of the job's log (when the runtime has logs); `stop`: the
 * run is still going, so its job is deleted once the log is read (deleting first could take the log along).
 */
function failWithLog(run: TaskRun, task: DeploymentTask, reason: string, stop = false): void {
  run.fire(
    task,
    async (signal) => {
      const since = Date.parse(resultOf(task).appliedAt ?? '') - LOG_SKEW_MS;
      const lines = await lastLogLines(run, task.component, since || 0, signal).catch(() => []);
      if (stop) await run.env.runtime.deleteJob(run.tool, task.component, { signal });
      return lines;
    },
    async (outcome) => {
      const lines = outcome.ok ? outcome.value : [];
      const log = lines.length > 0 ? `\nlast log lines:\n${lines.map((l) => `  ${l}`).join('\n')}` : '';
      await failTask(run, undefined, task, `${reason}${log}`);
    },
  );
}

/** A log line's leading ISO time (both runtimes' job logs start lines with one), in ms. */
const LINE_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s/;

/**
 * The last lines of the job's log written since `since` (ms): the job's log holds its earlier runs too, and
 * a failure should quote this run. Lines without a time are kept (they belong to the line before).
 */
async function lastLogLines(
  run: TaskRun,
  name: string,
  since: number,
  signal: AbortSignal,
): Promise<string[]> {
  const logs = run.env.runtime.jobLogs?.(run.tool, name, {
    signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]),
  });
  if (!logs) return [];
  const lines: string[] = [];
  for await (const line of logs) {
    const time = LINE_TIME.exec(line)?.[1];
    if (time !== undefined && Date.parse(time) < since) continue;
    lines.push(line);
    if (lines.length > LOG_LINES) lines.shift();
  }
  return lines;
}
