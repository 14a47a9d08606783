/**
 * One deployment being executed by this replica: the re-entrant step (gitops-engine's `Sync()`) and the
 * bookkeeping it needs between steps.
 *
 * A step reads the stored deployment and task rows, takes at most one runtime snapshot, and for every task that
 * is not final and not busy decides the next transition, persists it (with its event), and only then acts on it
 * by firing the task's planned operation in the background. Call completions persist their outcome under the
 * same lock and wake the loop, so a dependent starts as soon as its dependencies are done, not at the next tick.
 *
 * Invariants:
 * - nothing is decided from memory that the rows do not say: a new replica (or a restarted server) resumes
 *   from the rows alone; memory only holds what can be recomputed (stability since, learned timings);
 * - the executor carries out the plan's operations: it never reads the config and never decides again what
 *   to build, what job spec to send or whether to restart;
 * - a task with a call in flight is owned by that call: steps leave it alone until it has persisted its outcome;
 * - all time comes from the clock passed to `step` (tests move it by hand);
 * - after `kill()` nothing is written any more (a killed process writes nothing).
 */
import { RuntimeError, SNAPSHOT_PARTS, snapshotHas, type SnapshotPart } from '../runtimes/runtime.js';
import { whatDeployed } from './deployed.js';
import type { DeployedRecord } from '../model/deployment.js';
import type { TaskPatch } from '../store/store.js';
import type { PlanTask, TaskOperation } from '../model/plan.js';
import {
  FINAL_DEPLOYMENT_STATES,
  FINAL_TASK_STATES,
  type Deployment,
  type DeploymentState,
  type DeploymentTask,
} from '../model/deployment.js';
import { LOCAL_BUILD_CAP, type ResolvedOptions } from './executor-options.js';
import { DeploymentLock } from './deployment-lock.js';
import { StabilityTracker, conditionOf, jobReadiness, type ReadyCondition } from './readiness.js';
import { evaluateDependencies, type DependencyVerdict, type WaitCheck } from './dependencies.js';
import {
  CANCELLED_DEPLOYMENT,
  CANCELLED_TASK,
  failureSummary,
  finishedText,
  shortDuration,
  startedText,
} from './status-text.js';
import { advanceBuildTask, cancelBuildTask } from './task-build.js';
import { advanceDeleteTask, advanceDeployTask, cancelDeployTask } from './task-deploy.js';
import { isApplied, resultOf } from './task-record.js';
import { waitDeadlineOf } from './wait-deadline.js';
import { Pacing } from './pacing.js';
import {
  type BuildSlots,
  type CallOutcome,
  type RunEnvironment,
  type Snapshots,
  type Step,
  type TakenSnapshot,
  type TaskRun,
} from './task-run.js';
import { systemClock, type Clock } from './clock.js';

/** Per part, when it is next due (ms); a part nobody needs is absent. */
type DueParts = { [P in SnapshotPart]?: number };

/**
 * How much later than the earliest due look a list may be fetched, so that looks due just after it are made by
 * the same call: tasks applied or started a few hundred ms apart (a burst of upserts, a wave of builds) want
 * looks as far apart, and one call covers them all.
 */
const COALESCE_MS = 250;

/** How late a look at a job nothing waits for may be, to be made by a call that looks at others anyway. */
const UNAWAITED_SLACK_MS = 2_000;

/**
 * A look that ends a job's wait may be this fraction of the wait late (at least COALESCE_MS), so that jobs
 * applied at different moments whose windows end close together are looked at by one jobs list.
 */
const ALIGN_FRACTION = 0.1;

/** A look one task wants: at `at`, and no later than `slackMs` after it. */
interface Look {
  readonly at: number;
  readonly slackMs: number;
}

/**
 * One call for every look due by the earliest deadline (a look's `at + slackMs`), made when the last of those
 * is due: a look alone is made on time, looks close together share a call.
 */
function coalesced(looks: readonly Look[]): number | undefined {
  if (looks.length === 0) return undefined;
  const deadline = Math.min(...looks.map((l) => l.at + l.slackMs));
  return Math.max(...looks.filter((l) => l.at <= deadline).map((l) => l.at));
}

function earliest(due: DueParts): number | undefined {
  const times = SNAPSHOT_PARTS.map((p) => due[p]).filter((t) => t !== undefined);
  return times.length === 0 ? undefined : Math.min(...times);
}

/** What one step did: the loop uses it to pace itself. */
export interface StepOutcome {
  /** The deployment is final (or gone) and nothing is in flight. */
  readonly finished: boolean;
  /** Something was written: poll fast again. */
  readonly changed: boolean;
  /** Earliest clock time (ms) something is due (a backoff ends, a stability period passes). */
  readonly dueAt?: number;
}

class KilledError extends Error {}

const FINAL_TASK = new Set<string>(FINAL_TASK_STATES);

/**
 * A job waiting out a window its runtime dates is looked at this fraction of the window apart: a sighting
 * while it runs is enough (its uptime dates the start), and the margin covers a look's own latency.
 */
const WINDOW_LOOK_FRACTION = 0.9;

export class DeploymentRun implements TaskRun {
  readonly id: string;
  readonly tool: string;
  readonly env: RunEnvironment;
  readonly lock = new DeploymentLock();
  readonly stability = new StabilityTracker();
  readonly pacing = new Pacing();
  /** Tasks whose runtime call is in flight. */
  readonly inflight = new Map<string, Promise<void>>();
  /** Build tasks whose `startBuild` is in flight (builds-api may not count them in its quota yet). */
  readonly starting = new Set<string>();
  /** Fire-and-forget calls (build cancels) that `drain` still waits for. */
  readonly background = new Set<Promise<void>>();
  /** taskId → snapshots (by takenAt) in which its build was missing. */
  readonly missing = new Map<string, Set<number>>();
  /** taskId → when this replica first saw it waiting for a dependency that has no task. */
  readonly waitSince = new Map<string, number>();
  /** taskId → when its last runtime call ended (a snapshot must be newer to show what that call did). */
  readonly attemptEnded = new Map<string, number>();
  /** Only the list a part's snapshot fetched may be read: a part not fetched is empty, not "none". */
  readonly snapshots: Snapshots = {};
  /** Called when a background call finished: the loop should step again now. */
  wake: () => void = () => undefined;
  /** The clock of the current step (and of the completions it fired). */
  clock: Clock = systemClock;
  /** When this process first stepped this deployment: learned timings start no earlier (see Pacing). */
  #observingSince?: number;
  #killed = false;
  #abort = new AbortController();
  #planTasks?: Map<string, PlanTask>;
  /** taskId → the plan tasks that depend on it (built on first use). */
  #dependents?: Map<string, string[]>;
  /** False for a plan stored by a version whose tasks carried no operation. */
  #planUsable = true;

  constructor(env: RunEnvironment, id: string, tool: string) {
    this.env = env;
    this.id = id;
    this.tool = tool;
  }

  get options(): ResolvedOptions {
    return this.env.options;
  }

  now(): number {
    return this.clock.now();
  }

  get observingSince(): number {
    return this.#observingSince ?? this.now();
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Stops writing at once, as a killed process would; in-flight calls are aborted and their outcome dropped. */
  kill(): void {
    this.#killed = true;
    this.#abort.abort();
  }

  get killed(): boolean {
    return this.#killed;
  }

  /** Waits for every call this run started. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0 || this.background.size > 0) {
      await Promise.allSettled([...this.inflight.values(), ...this.background]);
    }
  }

  step(clock: Clock): Promise<StepOutcome> {
    return this.lock.run(() => {
      this.clock = clock;
      this.#observingSince ??= clock.now();
      return this.#step();
    });
  }

  async #step(): Promise<StepOutcome> {
    this.#assertAlive();
    let deployment = await this.env.store.getDeployment(this.tool, this.id);
    if (!deployment || FINAL_DEPLOYMENT_STATES.includes(deployment.state)) {
      return { finished: this.inflight.size === 0, changed: false };
    }
    this.#prepare(deployment);
    let started = false;
    if (deployment.state === 'pending') {
      const at = new Date(this.now());
      const next = await this.#transition(deployment, 'running', ['pending'], {
        longStatus: startedText(at),
        startedAt: at.toISOString(),
      });
      if (!next) return { finished: false, changed: true }; // lost the race (e.g. cancelled): look again
      deployment = next;
      started = true;
    }
    const tasks = new Map((await this.env.store.listTasks(this.id)).map((t) => [t.id, t]));
    const step: Step = { deployment, tasks, now: this.now(), changed: started };
    const cancelling = deployment.state === 'cancelling';
    if (!this.#planUsable && !cancelling) await this.#refuseOldPlan(step);
    await this.#refreshSnapshot(step);
    for (const task of this.#inStartOrder(tasks)) {
      const current = tasks.get(task.id) ?? task;
      if (FINAL_TASK.has(current.state) || this.inflight.has(current.id)) continue;
      if (cancelling) await this.#cancelTask(step, current);
      else await this.#advanceTask(step, current);
    }
    const finished = await this.#maybeFinish(step);
    return { finished, changed: step.changed, ...(step.dueAt !== undefined ? { dueAt: step.dueAt } : {}) };
  }

  /** The plan's own tasks, validated once: a plan from before operations existed cannot be carried out. */
  #prepare(deployment: Deployment): void {
    if (this.#planTasks) return;
    this.#planTasks = new Map(deployment.plan.tasks.map((t) => [t.id, t]));
    for (const t of deployment.plan.tasks) {
      const op = t.operation as Partial<TaskOperation> | undefined;
      if (op?.kind === 'start-build' && op.expectedMs !== undefined && op.request)
        this.pacing.expectBuild(op.request.imageName, op.expectedMs);
    }
    this.#planUsable = deployment.plan.tasks.every(
      (t) => typeof (t as Partial<PlanTask>).operation === 'object',
    );
  }

  /**
   * The tasks in the order they take build slots (a step gives them out in its loop's order): the builds
   * expected to take longest first, because the longest build starting last is what makes a deployment late
   * when the quota cannot take every build at once (LPT). A build nothing is known of ranks with the longest
   * known (nothing says it is short); without any expectation (a new tool) the plan's order, which is the
   * config's.
   */
  #inStartOrder(tasks: ReadonlyMap<string, DeploymentTask>): DeploymentTask[] {
    const all = [...tasks.values()];
    const expected = (t: DeploymentTask): number | undefined => {
      const op = this.planTask(t.id)?.operation;
      return op?.kind === 'start-build' ? (op.expectedMs ?? -1) : undefined;
    };
    const longest = Math.max(-1, ...all.map((t) => expected(t) ?? -1));
    if (longest < 0) return all;
    const rank = (t: DeploymentTask): number => {
      const ms = expected(t);
      return ms === undefined ? 0 : -(ms < 0 ? longest : ms);
    };
    return all.sort((a, b) => rank(a) - rank(b));
  }

  async #refuseOldPlan(step: Step): Promise<void> {
    for (const task of [...step.tasks.values()]) {
      if (FINAL_TASK.has(task.state) || this.inflight.has(task.id)) continue;
      await this.write(step, task, {
        state: 'failed',
        reason:
          'this deployment was planned by an older version that stored no task operations: deploy again',
        finishedAt: this.iso(step),
      });
    }
  }

  async #advanceTask(step: Step, task: DeploymentTask): Promise<void> {
    if (task.kind === 'build') await advanceBuildTask(this, step, task);
    else if (task.kind === 'deploy') await advanceDeployTask(this, step, task);
    else await advanceDeleteTask(this, step, task);
  }

  async #cancelTask(step: Step, task: DeploymentTask): Promise<void> {
    if (task.state === 'pending' || task.state === 'waiting') {
      await this.write(step, task, {
        state: 'skipped',
        reason: CANCELLED_TASK,
        waitingFor: [],
        finishedAt: this.iso(step),
      });
    } else if (task.kind === 'build') {
      await cancelBuildTask(this, step, task);
    } else {
      await cancelDeployTask(this, step, task);
    }
  }

  async #maybeFinish(step: Step): Promise<boolean> {
    const tasks = [...step.tasks.values()];
    if (this.inflight.size > 0 || tasks.some((t) => !FINAL_TASK.has(t.state))) return false;
    const { deployment } = step;
    const at = new Date(this.now());
    const finishedAt = at.toISOString();
    // What it deployed, now that every build task has its result (commit, image): kept with the deployment.
    const deployed = whatDeployed(deployment.plan, tasks);
    let next: Deployment | undefined;
    if (deployment.state === 'cancelling') {
      // `cancelled` means builds-api was told: the fire-and-forget build cancels must have been sent first.
      await Promise.allSettled([...this.background]);
      next = await this.#transition(deployment, 'cancelled', ['cancelling'], {
        longStatus: CANCELLED_DEPLOYMENT,
        finishedAt,
        deployed,
      });
    } else if (tasks.some((t) => t.state !== 'succeeded')) {
      next = await this.#transition(deployment, 'failed', ['running'], {
        longStatus: failureSummary(tasks, at),
        finishedAt,
        deployed,
      });
    } else {
      next = await this.#transition(deployment, 'successful', ['running'], {
        longStatus: finishedText(at),
        finishedAt,
        deployed,
      });
    }
    step.changed = true;
    // Lost the compare-and-set (cancel flagged meanwhile): the next step sees the new state.
    return next !== undefined;
  }

  /** Compare-and-set of the deployment state, persisted before anything acts on it, with its event. */
  async #transition(
    deployment: Deployment,
    state: DeploymentState,
    expected: readonly DeploymentState[],
    patch: { longStatus: string; startedAt?: string; finishedAt?: string; deployed?: DeployedRecord },
  ): Promise<Deployment | undefined> {
    this.#assertAlive();
    const next = await this.env.store.updateDeployment(deployment.id, { state, ...patch }, expected);
    if (next) {
      await this.env.store.appendEvent({
        deploymentId: this.id,
        at: new Date(this.now()).toISOString(),
        type: 'deployment',
        state,
        reason: patch.longStatus,
      });
      // Only the compare-and-set winner gets here, so each final state is reported once, by one replica.
      if (FINAL_DEPLOYMENT_STATES.includes(state)) this.options.onDeploymentFinished?.(next);
    }
    return next;
  }

  /** Persists a task change (and its event when state or reason changed); keeps `step.tasks` current. */
  async write(step: Step | undefined, task: DeploymentTask, patch: TaskPatch): Promise<DeploymentTask> {
    this.#assertAlive();
    const next = await this.env.store.updateTask(this.id, task.id, patch);
    if (step) {
      step.tasks.set(next.id, next);
      step.changed = true;
    }
    if (next.state !== task.state || next.reason !== task.reason) {
      await this.env.store.appendEvent({
        deploymentId: this.id,
        at: new Date(this.now()).toISOString(),
        type: 'task',
        taskId: next.id,
        state: next.state,
        ...(next.reason !== undefined ? { reason: next.reason } : {}),
      });
    }
    if (FINAL_TASK.has(next.state) && !FINAL_TASK.has(task.state)) {
      const start = next.startedAt ? Date.parse(next.startedAt) : undefined;
      this.options.onTaskFinished?.(next, start === undefined ? 0 : Math.max(0, this.now() - start));
    }
    return next;
  }

  /**
   * Runs a runtime call for `task` in the background; `settle` persists its outcome under the lock. The task is
   * busy (steps skip it) until then. The guard gives the call its time limit.
   */
  fire<T>(
    task: DeploymentTask,
    call: (signal: AbortSignal) => Promise<T>,
    settle: (outcome: CallOutcome<T>) => Promise<void>,
  ): void {
    const promise = (async () => {
      let outcome: CallOutcome<T>;
      try {
        outcome = { ok: true, value: await call(this.#abort.signal) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      await this.lock
        .run(async () => {
          try {
            this.attemptEnded.set(task.id, this.now());
            if (!this.#killed) await settle(outcome);
          } finally {
            this.inflight.delete(task.id);
          }
        })
        .catch(() => undefined); // a failed write leaves the row as it was: the next step retries from there
      this.wake();
    })();
    this.inflight.set(task.id, promise);
  }

  /** A fire-and-forget call whose errors do not matter (cancelling a build). */
  fireAndForget(call: (signal: AbortSignal) => Promise<unknown>): void {
    const promise = call(this.#abort.signal).then(
      () => undefined,
      () => undefined,
    );
    this.background.add(promise);
    void promise.finally(() => this.background.delete(promise));
  }

  /**
   * Free build slots for this step, read once per step and only when a build could start: builds-api's quota
   * (limit − used, less our own starts it may not count yet), or without one a cap of one build per CPU. An
   * explicit `buildConcurrency` caps both. A quota that cannot be read leaves one slot: builds-api's own 409
   * is the back-pressure then.
   */
  async buildSlots(step: Step): Promise<BuildSlots> {
    if (step.slots) return step.slots;
    const running = [...step.tasks.values()].filter(
      (t) => t.kind === 'build' && t.state === 'running',
    ).length;
    const cap = this.options.buildConcurrency;
    let slots: BuildSlots;
    const read = this.env.runtime.buildQuota;
    if (read) {
      try {
        const quota = await read(this.tool, {
          signal: this.#abort.signal,
          usedMaxAgeMs: this.#quotaCountMaxAge(step, running > 0),
        });
        const free = quota.limit === undefined ? Infinity : quota.limit - quota.used - this.starting.size;
        slots = { free, quota };
      } catch {
        slots = { free: 1 };
      }
    } else {
      slots = { free: LOCAL_BUILD_CAP - running };
    }
    if (cap !== undefined) slots.free = Math.min(slots.free, cap - running);
    slots.free = Math.max(0, slots.free);
    step.slots = slots;
    return slots;
  }

  /**
   * How old a count of running builds may be for this step (undefined: the runtime's own limit). Every builds
   * list recounts the quota. While builds of ours start or run, this run lists the tool's builds as they near
   * their end, so one ending is seen there: a count of any age will do. A list fetched in this step recounted it
   * just now, so the count is as fresh as it gets: no age limit either (a limit computed from the list's age
   * would race the clock between here and the runtime's check).
   */
  #quotaCountMaxAge(step: Step, ownRunning: boolean): number | undefined {
    const listedAt = this.snapshots.builds?.takenAt;
    const listedThisStep = listedAt !== undefined && listedAt >= step.now;
    return ownRunning || listedThisStep ? Infinity : undefined;
  }

  /**
   * One observe() per tool per tick at most, only when a task needs live state, and only of the lists that are
   * due (builds for builds, jobs for readiness): each list keeps its own clock (see `#nextObserveAt`).
   */
  async #refreshSnapshot(step: Step): Promise<void> {
    const next = this.#nextObserveAt(step);
    const first = earliest(next);
    if (first === undefined) return;
    if (step.now < first) {
      this.due(step, first);
      return;
    }
    // A part due within the minimum spacing rides along: it would be fetched right after anyway.
    const horizon = step.now + this.options.tick.minMs;
    const parts = SNAPSHOT_PARTS.filter((p) => (next[p] ?? Infinity) <= horizon);
    const startedAt = this.now();
    try {
      const snapshot = await this.env.runtime.observe(this.tool, { signal: this.#abort.signal, parts });
      const taken: TakenSnapshot = { ...snapshot, takenAt: startedAt };
      // A runtime may return more than asked: keep every part it really fetched.
      for (const part of SNAPSHOT_PARTS) if (snapshotHas(snapshot, part)) this.snapshots[part] = taken;
      if (snapshotHas(snapshot, 'builds')) this.pacing.learnBuilds(snapshot.builds);
    } catch (error) {
      // Keep the previous snapshots; decisions that need a fresh one check `takenAt` and wait for the next tick.
      if (!(error instanceof RuntimeError)) throw error;
    }
    const after = earliest(this.#nextObserveAt({ ...step, now: this.now() }, startedAt));
    if (after !== undefined) this.due(step, Math.max(after, startedAt + this.options.tick.minMs));
  }

  /**
   * When each part (builds list, jobs list) is next due (ms); a part nothing needs is absent. `never`: the
   * look time of a part never fetched.
   * - A running build: when it is expected to end (its image's last build), then often for a while, then less
   *   and less; without history by its age (see Pacing).
   * - A job in its stability window: when the window ends, or up to a tenth of its wait later when another
   *   look is due by then (one jobs list for both: ALIGN_FRACTION).
   * - A job coming up whose readiness is a window the runtime dates (jobs-api): when a job starting as fast as
   *   the fastest seen would be ready, else a window apart (`#datedWindowMs`).
   * - Any other job coming up: when jobs of its kind became ready before (learned in this process only), else
   *   at a third of the time since it was applied (or since this process started watching), between
   *   `tick.maxMs / 12` and `tick.maxMs / 3`, because dependents are blocked on it.
   * - A wait on a dependency without a task (it already runs): like a job coming up.
   * Every look at a job nothing waits for may be up to UNAWAITED_SLACK_MS late, to share another's call.
   */
  #nextObserveAt(step: Step, never = -Infinity): DueParts {
    const { minMs, maxMs } = this.options.tick;
    const due: DueParts = {};
    const lastLook = (part: SnapshotPart): number => this.snapshots[part]?.takenAt ?? never;
    const wanted: { [P in SnapshotPart]: Look[] } = { builds: [], jobs: [] };
    const want = (part: SnapshotPart, at: number, slackMs = COALESCE_MS): void => {
      wanted[part].push({ at, slackMs });
    };
    // A job nothing waits for delays nothing but the deployment's end: its look may wait for others'.
    const onlyWaitsLeft = [...step.tasks.values()].every(
      (t) => FINAL_TASK.has(t.state) || (t.kind === 'deploy' && t.state === 'running'),
    );
    // A look ending a longer wait may be a little later, in proportion, to share the call of others due then.
    const jobSlack = (task: DeploymentTask, waitMs = 0): number =>
      onlyWaitsLeft || this.#awaited(step, task)
        ? Math.max(COALESCE_MS, Math.round(ALIGN_FRACTION * waitMs))
        : UNAWAITED_SLACK_MS;
    const jobsTakenAt = lastLook('jobs');
    const jobCap = Math.max(minMs, maxMs / 3);
    // A job takes seconds to start: looking every `minMs` right after the upsert only costs calls.
    const jobFloor = Math.max(minMs, jobCap / 4);
    const jobClamp = (age: number): number => Math.max(jobFloor, Math.min(jobCap, Math.round(age / 3)));
    for (const task of step.tasks.values()) {
      if (FINAL_TASK.has(task.state) || this.inflight.has(task.id)) continue;
      const planTask = this.planTask(task.id);
      if (task.state === 'running' && task.kind === 'build') {
        if (task.externalId === undefined) {
          want('builds', lastLook('builds') + minMs);
          continue;
        }
        const imageName =
          planTask?.operation.kind === 'start-build' ? planTask.operation.request.imageName : task.component;
        want(
          'builds',
          this.pacing.nextBuildLook(
            imageName,
            this.#buildStart(task, step),
            lastLook('builds'),
            this.options.tick,
          ),
        );
      } else if (task.state === 'running' && task.kind === 'deploy') {
        if (!isApplied(task)) {
          // An attempt whose answer was lost: the next attempt first looks whether it took effect.
          if (resultOf(task).intent !== undefined) want('jobs', jobsTakenAt + minMs);
          continue;
        }
        const since = this.#watchedSince(task);
        const stableAt = this.stability.stableAt(`${this.tool}/${task.component}`);
        if (stableAt !== undefined && stableAt > jobsTakenAt) {
          // Dated by a coarse uptime (jobs-api: whole seconds, rounded down), the window really ends up to one
          // step before `stableAt`: a look halfway there releases the job half a step sooner on average (the
          // uptime read then counts the whole window or not: never too soon).
          const halfStep = Math.round((this.env.runtime.reports?.uptimeResolutionMs ?? 0) / 2);
          const early = stableAt - halfStep;
          const at = halfStep >= minMs && early > jobsTakenAt + minMs ? early : stableAt;
          want('jobs', at, jobSlack(task, at - since));
          continue;
        }
        const window = planTask ? this.#datedWindowMs(planTask) : undefined;
        if (window !== undefined) {
          // Released by a window the runtime dates (jobs-api's uptime): one sighting while it runs tells when
          // the window ends (`stableAt` above), and looks a window apart cannot miss it running. A job that
          // starts as fast as the fastest seen is ready at `since + start + window`: look then first.
          const start = this.pacing.expectedJobStartMs();
          const first = start !== undefined ? since + start + window : undefined;
          const spaced =
            Math.max(jobsTakenAt, since) + Math.max(minMs, Math.round(WINDOW_LOOK_FRACTION * window));
          const at = first !== undefined && first > jobsTakenAt ? first : spaced;
          want('jobs', at, jobSlack(task, at - since));
          continue;
        }
        const learned = planTask ? this.pacing.expectedReadyMs(readyKind(planTask)) : undefined;
        if (learned === undefined) {
          const at = jobsTakenAt + jobClamp(step.now - since);
          want('jobs', at, jobSlack(task, at - since));
          continue;
        }
        // No job of its kind came up sooner than `learned`: look a little before (it may be faster this time:
        // the time learned is only as precise as the looks that saw it), then when it should be ready, then often.
        const probes = [since + Math.ceil(0.8 * learned), since + learned];
        const next = probes.find((at) => at > jobsTakenAt);
        const at = next ?? jobsTakenAt + Math.max(minMs, Math.ceil(learned / 10));
        want('jobs', at, jobSlack(task, at - since));
      } else if (task.state === 'pending' || task.state === 'waiting') {
        const deps = planTask?.dependsOn ?? [];
        // Only a wait on a dependency without a task is decided by looking (a task's success is its readiness).
        const untracked = deps.filter((d) => d.condition !== 'completed' && !step.tasks.has(d.task));
        if (untracked.length === 0) continue;
        const blocked = deps.some(
          (d) =>
            d.condition === 'completed' &&
            step.tasks.get(d.task)?.state !== 'succeeded' &&
            step.tasks.has(d.task),
        );
        if (blocked) continue;
        want('jobs', jobsTakenAt + jobClamp(step.now - (this.waitSince.get(task.id) ?? step.now)));
      }
    }
    for (const part of SNAPSHOT_PARTS) {
      const at = coalesced(wanted[part]);
      if (at !== undefined) due[part] = at;
    }
    return due;
  }

  /** Does a task that is not final depend on `task` (wait for it, or for its build)? */
  #awaited(step: Step, task: DeploymentTask): boolean {
    if (!this.#dependents) {
      this.#dependents = new Map();
      for (const t of this.#planTasks?.values() ?? [])
        for (const d of t.dependsOn)
          this.#dependents.set(d.task, [...(this.#dependents.get(d.task) ?? []), t.id]);
    }
    return (this.#dependents.get(task.id) ?? []).some((id) => {
      const state = step.tasks.get(id)?.state;
      return state !== undefined && !FINAL_TASK.has(state);
    });
  }

  /** When a running build started: builds-api's start time once listed (what learned durations are measured on). */
  #buildStart(task: DeploymentTask, step: Step): number {
    const listed = this.snapshots.builds?.builds.find((b) => b.id === task.externalId)?.startedAt;
    const at = listed ?? resultOf(task).intent?.at ?? task.startedAt ?? '';
    return Date.parse(at) || step.now;
  }

  /**
   * The window after which a job of `planTask` counts as ready once it runs, when the runtime dates the job's
   * start (reports its uptime): a job without a health check (`stableForMs`), or one whose check the runtime
   * cannot see (`unknownHealthStableForMs`). Undefined: readiness comes from the runtime's health report, or
   * from a sighting this process must make itself.
   */
  #datedWindowMs(planTask: PlanTask): number | undefined {
    const reports = this.env.runtime.reports;
    const ready = planTask.ready;
    if (reports?.uptimeResolutionMs === undefined || ready.kind !== 'healthy') return undefined;
    if (ready.observed === 'stability') return this.options.stableForMs;
    if (reports.health) return undefined;
    return Math.max(this.options.stableForMs, this.options.unknownHealthStableForMs);
  }

  /** When the readiness wait of an applied deploy began, as far as this process watched it. */
  #watchedSince(task: DeploymentTask): number {
    const applied = Date.parse(resultOf(task).appliedAt ?? '');
    return Math.max(Number.isFinite(applied) ? applied : 0, this.observingSince);
  }

  /**
   * Learns how long a job of `planTask`'s kind took from apply to ready, when this process watched all of it
   * (a job applied before a restart would teach the downtime).
   */
  learnReady(planTask: PlanTask, task: DeploymentTask, readyAt: number): void {
    const applied = Date.parse(resultOf(task).appliedAt ?? '');
    if (!Number.isFinite(applied) || applied < this.observingSince) return;
    this.pacing.learnReady(readyKind(planTask), readyAt - applied);
  }

  /** A snapshot of `part` taken at or after `at` (ms), or undefined (and a reminder to look again next tick). */
  snapshotSince(step: Step, at: number, part: SnapshotPart): TakenSnapshot | undefined {
    const snapshot = this.snapshots[part];
    if (snapshot && snapshot.takenAt >= at) return snapshot;
    this.due(step, step.now + this.options.tick.minMs);
    return undefined;
  }

  planTask(taskId: string): PlanTask | undefined {
    return this.#planTasks?.get(taskId);
  }

  dependencies(step: Step, task: DeploymentTask): DependencyVerdict {
    return evaluateDependencies(task, this.planTask(task.id), step.tasks, (name, depTask, since) =>
      this.checkWait(step, task, name, depTask, since),
    );
  }

  /**
   * A wait-for check of `name` on behalf of `task`. A dependency whose deploy task succeeded was judged ready
   * by that task (by its plan's readiness rule): it only must not be broken now. One without a task (it
   * already ran as configured) is judged from the latest snapshot, with the wait deadline.
   */
  checkWait(
    step: Step,
    task: DeploymentTask,
    name: string,
    depTask: DeploymentTask | undefined,
    since: number | undefined,
  ): WaitCheck {
    if (depTask) {
      const job = this.snapshots.jobs?.jobs.find((j) => j.name === name);
      const verdict = jobReadiness(name, job, conditionOf(job));
      return verdict.kind === 'broken' ? { kind: 'fail', reason: verdict.reason } : { kind: 'ready' };
    }
    const began = since ?? this.waitSince.get(task.id) ?? step.now;
    if (since === undefined) this.waitSince.set(task.id, began);
    const job = this.snapshots.jobs?.jobs.find((j) => j.name === name);
    const condition = conditionOf(job);
    const verdict = this.readiness(step, name, condition);
    if (verdict.kind !== 'not-ready') return verdict;
    const deadline = waitDeadlineOf(step.deployment, began, this.options.waitTimeoutMs);
    if (step.now > deadline.at) {
      return {
        kind: 'fail',
        reason: `timed out after ${shortDuration(deadline.timeoutMs)} waiting for ${name} to be ${condition.kind} (${verdict.detail})`,
      };
    }
    this.due(step, deadline.at + 1);
    return verdict;
  }

  /**
   * Is job `name` ready in a snapshot taken at or after `notBefore`, by `condition`'s rule? A passing health
   * check the runtime reports is enough at once; without one, the job must run without a restart for the
   * stability window (`stableForMs`, or `unknownHealthStableForMs` when the runtime cannot see its health).
   * `readyAt`: when the job was first seen ready (for learned timings).
   */
  readiness(
    step: Step,
    name: string,
    condition: ReadyCondition,
    notBefore = 0,
  ): WaitCheck & { readonly readyAt?: number } {
    const snapshot = this.snapshotSince(step, notBefore, 'jobs');
    if (!snapshot) return { kind: 'not-ready', detail: 'no status yet' };
    const job = snapshot.jobs.find((j) => j.name === name);
    const verdict = jobReadiness(name, job, condition);
    const key = `${this.tool}/${name}`;
    if (verdict.kind === 'broken') return { kind: 'fail', reason: verdict.reason };
    if (verdict.kind === 'not-ready') {
      this.stability.observe(key, false, snapshot.takenAt, 0);
      return { kind: 'not-ready', detail: verdict.detail };
    }
    if (verdict.rule === 'health-check') return { kind: 'ready', readyAt: snapshot.takenAt };
    const window =
      verdict.rule === 'no-restart'
        ? Math.max(this.options.stableForMs, this.options.unknownHealthStableForMs)
        : this.options.stableForMs;
    // A runtime that tells how long the job has run (jobs-api) dates the ready spell itself: a restart
    // between two looks shows as a shorter uptime, not as nothing.
    const runningSince = job?.runningForMs !== undefined ? snapshot.takenAt - job.runningForMs : undefined;
    // `notBefore` is the apply time of the deploy that waits: its job's start, dated by its uptime, teaches how
    // long jobs take to run (only if this process watched since the apply: else it would teach the downtime).
    if (runningSince !== undefined && notBefore > 0 && notBefore >= this.observingSince)
      this.pacing.learnJobStart(runningSince - notBefore);
    if (this.stability.observe(key, true, snapshot.takenAt, window, runningSince))
      return { kind: 'ready', readyAt: this.stability.readySince(key) ?? snapshot.takenAt };
    const readySince = this.stability.readySince(key) ?? snapshot.takenAt;
    this.due(step, readySince + window);
    // The text says which rule decides, so a wait on real Toolforge is not mistaken for a health check.
    return {
      kind: 'not-ready',
      detail:
        verdict.rule === 'no-restart'
          ? `running; the runtime reports no health, so ready after ${shortDuration(window)} without a restart`
          : `running; no health check, so ready after ${shortDuration(window)} without a restart`,
    };
  }

  iso(step: Step | undefined): string {
    return new Date(step ? step.now : this.now()).toISOString();
  }

  due(step: Step, at: number): void {
    step.dueAt = Math.min(step.dueAt ?? Infinity, at);
  }

  #assertAlive(): void {
    if (this.#killed) throw new KilledError('executor was killed');
  }
}

/** Ready times are learned per rule: a health-checked job and one judged by stability take different times. */
function readyKind(planTask: PlanTask): string {
  const ready = planTask.ready;
  return ready.kind === 'healthy' ? `healthy/${ready.observed}` : ready.kind;
}
