/**
 * One deployment being executed by this replica: the re-entrant step (gitops-engine's `Sync()`) and the
 * bookkeeping it needs between steps.
 *
 * A step reads the stored deployment and task rows, takes at most one runtime snapshot, and for every task that
 * is not final and not busy decides the next transition, persists it (with its event), and only then acts on it
 * by firing the runtime call in the background. Call completions persist their outcome under the same lock and
 * wake the loop, so a dependent starts as soon as its dependencies are done, not at the next tick.
 *
 * Invariants:
 * - nothing is decided from memory that the rows do not say: a new replica (or a restarted server) resumes
 *   from the rows alone; memory only holds what can be recomputed (stability since, missing-build counts);
 * - a task with a call in flight is owned by that call: steps leave it alone until it has persisted its outcome;
 * - after `kill()` nothing is written any more (a killed process writes nothing).
 */
import type { Runtime, RuntimeSnapshot, SnapshotPart } from '../runtimes/runtime.js';
import type { Store, TaskPatch } from '../store/store.js';
import type { Component } from '../config/tool-config.js';
import type { ComponentPlan, PlanTask } from '../plan/plan.js';
import {
  FINAL_DEPLOYMENT_STATES,
  FINAL_TASK_STATES,
  type Deployment,
  type DeploymentState,
  type DeploymentTask,
} from './deployment.js';
import type { ResolvedOptions } from './executor-options.js';
import { DeploymentLock } from './deployment-lock.js';
import { StabilityTracker, jobReadiness, type ReadyCondition } from './readiness.js';
import {
  componentOfTask,
  evaluateDependencies,
  type DependencyVerdict,
  type WaitCheck,
} from './dependencies.js';
import {
  CANCELLED_DEPLOYMENT,
  CANCELLED_TASK,
  failureSummary,
  finishedText,
  shortDuration,
  startedText,
} from './status-text.js';
import { withTimeout } from './retry.js';
import { RuntimeError, SNAPSHOT_PARTS, snapshotHas } from '../runtimes/runtime.js';
import { advanceBuildTask, cancelBuildTask } from './task-build.js';
import { advanceDeleteTask, advanceDeployTask, cancelDeployTask } from './task-deploy.js';
import { imageFor } from './image-source.js';

export interface TakenSnapshot extends RuntimeSnapshot {
  /** Clock time (ms) just before the runtime was asked. */
  readonly takenAt: number;
}

/** Per part, the latest snapshot that fetched it: `builds.builds` and `jobs.jobs` are always real lists. */
export type Snapshots = { [P in SnapshotPart]?: TakenSnapshot };

/** Per part, when it is next due (ms); a part nobody needs is absent. */
type DueParts = { [P in SnapshotPart]?: number };

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

/** Mutable view of one step. */
export interface Step {
  readonly deployment: Deployment;
  readonly tasks: Map<string, DeploymentTask>;
  readonly now: number;
  changed: boolean;
  dueAt?: number;
}

export interface RunEnvironment {
  readonly store: Store;
  readonly runtime: Runtime;
  readonly options: ResolvedOptions;
}

class KilledError extends Error {}

const FINAL_TASK = new Set<string>(FINAL_TASK_STATES);

export class DeploymentRun {
  readonly id: string;
  readonly tool: string;
  readonly env: RunEnvironment;
  readonly lock = new DeploymentLock();
  readonly stability = new StabilityTracker();
  /** Tasks whose runtime call is in flight. */
  readonly inflight = new Map<string, Promise<void>>();
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
  #killed = false;
  #abort = new AbortController();

  constructor(env: RunEnvironment, id: string, tool: string) {
    this.env = env;
    this.id = id;
    this.tool = tool;
  }

  get options(): ResolvedOptions {
    return this.env.options;
  }

  now(): number {
    return this.options.now().getTime();
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

  step(): Promise<StepOutcome> {
    return this.lock.run(() => this.#step());
  }

  async #step(): Promise<StepOutcome> {
    this.#assertAlive();
    let deployment = await this.env.store.getDeployment(this.tool, this.id);
    if (!deployment || FINAL_DEPLOYMENT_STATES.includes(deployment.state)) {
      return { finished: this.inflight.size === 0, changed: false };
    }
    this.prepare(deployment);
    let started = false;
    if (deployment.state === 'pending') {
      const at = this.options.now();
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
    await this.#refreshSnapshot(step);
    const cancelling = deployment.state === 'cancelling';
    for (const task of [...tasks.values()]) {
      const current = tasks.get(task.id) ?? task;
      if (FINAL_TASK.has(current.state) || this.inflight.has(current.id)) continue;
      if (cancelling) await this.#cancelTask(step, current);
      else await this.#advanceTask(step, current);
    }
    const finished = await this.#maybeFinish(step);
    return { finished, changed: step.changed, ...(step.dueAt !== undefined ? { dueAt: step.dueAt } : {}) };
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
    const at = this.options.now();
    const finishedAt = at.toISOString();
    let next: Deployment | undefined;
    if (deployment.state === 'cancelling') {
      // `cancelled` means builds-api was told: the fire-and-forget build cancels must have been sent first.
      await Promise.allSettled([...this.background]);
      next = await this.#transition(deployment, 'cancelled', ['cancelling'], {
        longStatus: CANCELLED_DEPLOYMENT,
        finishedAt,
      });
    } else if (tasks.some((t) => t.state !== 'succeeded')) {
      next = await this.#transition(deployment, 'failed', ['running'], {
        longStatus: failureSummary(tasks, at),
        finishedAt,
      });
    } else {
      next = await this.#transition(deployment, 'successful', ['running'], {
        longStatus: finishedText(at),
        finishedAt,
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
    patch: { longStatus: string; startedAt?: string; finishedAt?: string },
  ): Promise<Deployment | undefined> {
    this.#assertAlive();
    const next = await this.env.store.updateDeployment(deployment.id, { state, ...patch }, expected);
    if (next) {
      await this.env.store.appendEvent({
        deploymentId: this.id,
        at: this.options.now().toISOString(),
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
        at: this.options.now().toISOString(),
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
   * busy (steps skip it) until then.
   */
  fire<T>(
    task: DeploymentTask,
    call: (signal: AbortSignal) => Promise<T>,
    settle: (outcome: { ok: true; value: T } | { ok: false; error: unknown }) => Promise<void>,
  ): void {
    const promise = (async () => {
      let outcome: { ok: true; value: T } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, value: await this.call(call) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      await this.lock
        .run(async () => {
          try {
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
    const promise = this.call(call).then(
      () => undefined,
      () => undefined,
    );
    this.background.add(promise);
    void promise.finally(() => this.background.delete(promise));
  }

  /** One runtime call with the per-call time limit. */
  call<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ms = this.options.callTimeoutMs;
    const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(ms)]);
    return withTimeout(
      call(signal),
      ms,
      () => new RuntimeError('unavailable', `no answer within ${shortDuration(ms)}`),
    );
  }

  /**
   * One observe() per tool per tick at most, only when a task needs live state, and only of the lists that are
   * due (builds for builds, jobs for readiness): each list keeps its own clock. When depends on what waits:
   * a build is polled at half its age (fast at first, then every `tick.maxMs`); a job coming up at a third of
   * its age, between `tick.maxMs / 12` and `tick.maxMs / 3`, because dependents are blocked on it; a job seen
   * healthy is looked at again exactly when its stability period ends (not at the next regular poll: that delay
   * would add up along every wait-for level).
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
      const snapshot = await this.call((signal) => this.env.runtime.observe(this.tool, { signal, parts }));
      const taken: TakenSnapshot = { ...snapshot, takenAt: startedAt };
      // A runtime may return more than asked: keep every part it really fetched.
      for (const part of SNAPSHOT_PARTS) if (snapshotHas(snapshot, part)) this.snapshots[part] = taken;
    } catch {
      // Keep the previous snapshots; decisions that need a fresh one check `takenAt` and wait for the next tick.
    }
    const after = earliest(this.#nextObserveAt({ ...step, now: this.now() }, startedAt));
    if (after !== undefined) this.due(step, Math.max(after, startedAt + this.options.tick.minMs));
  }

  /**
   * When each part (builds list, jobs list) is next due (ms); a part nothing needs is absent. Running builds
   * need the builds list (including the re-attach search after a restart); readiness checks need the jobs list.
   * `never`: the look time of a part never fetched.
   */
  #nextObserveAt(step: Step, never = -Infinity): DueParts {
    const { minMs, maxMs } = this.options.tick;
    const clamp = (age: number, divisor: number, max: number): number =>
      Math.max(minMs, Math.min(max, Math.round(age / divisor)));
    const due: DueParts = {};
    const lastLook = (part: SnapshotPart): number => this.snapshots[part]?.takenAt ?? never;
    const wantPart = (part: SnapshotPart, ms: number): void => {
      due[part] = Math.min(due[part] ?? Infinity, ms);
    };
    const buildsTakenAt = lastLook('builds');
    const takenAt = lastLook('jobs');
    const want = (ms: number): void => wantPart('jobs', ms);
    const jobCap = Math.max(minMs, maxMs / 3);
    // A job takes seconds to start: looking every `minMs` right after the upsert only costs calls.
    const jobFloor = Math.max(minMs, jobCap / 4);
    const jobClamp = (age: number): number => Math.max(jobFloor, Math.min(jobCap, Math.round(age / 3)));
    /**
     * A job seen healthy needs one look when its stability period ends (until then a look cannot release it);
     * undefined when it was not seen healthy, or a snapshot already covers the period.
     */
    const stableAt = (name: string): number | undefined => {
      const end = this.stability.stableAt(`${this.tool}/${name}`);
      return end !== undefined && end > takenAt ? end : undefined;
    };
    for (const task of step.tasks.values()) {
      if (FINAL_TASK.has(task.state) || this.inflight.has(task.id)) continue;
      if (task.state === 'running' && task.kind === 'build') {
        const since = task.startedAt !== undefined ? Date.parse(task.startedAt) : step.now;
        const wait = task.externalId === undefined ? minMs : clamp(step.now - since, 2, maxMs);
        wantPart('builds', buildsTakenAt + wait);
      } else if (task.state === 'running' && task.kind === 'deploy' && task.result?.['applied'] === true) {
        const since = Date.parse(String(task.result['appliedAt'] ?? step.deployment.createdAt));
        const readySince = this.stability.readySince(`${this.tool}/${task.component}`);
        const kind = this.#jobKind(step, task.component);
        if (readySince !== undefined && kind !== undefined) this.#learnReadyAge(kind, readySince - since);
        // No job of its kind in this deployment came up sooner than `expected`: looking earlier only costs calls.
        const expected = since + 0.8 * ((kind !== undefined ? this.#readyAge.get(kind) : undefined) ?? 0);
        const age = step.now - since;
        want(stableAt(task.component) ?? Math.max(expected, takenAt + jobClamp(age)));
      } else if (task.state === 'pending' || task.state === 'waiting') {
        const deps = this.planTask(task.id)?.dependsOn ?? [];
        const done = (id: string): boolean => (step.tasks.get(id)?.state ?? 'succeeded') === 'succeeded';
        // Still blocked on its own build (or another `completed` dependency): no look can release it yet.
        if (deps.some((d) => d.condition === 'completed' && !done(d.task))) continue;
        // Only waits whose dependencies are all deployed (or have no task) can be decided by looking; until
        // then, the deploys they wait for are polled anyway.
        const waits = deps.filter((d) => d.condition !== 'completed');
        if (waits.length === 0 || !waits.every((d) => done(d.task))) continue;
        const stable = waits.map((d) => stableAt(componentOfTask(d.task)));
        if (stable.every((x) => x !== undefined)) want(Math.max(...stable));
        else want(takenAt + jobClamp(step.now - (this.waitSince.get(task.id) ?? step.now)));
      }
    }
    // A deploy whose image is only in the builds list (a reused or followed build) reads it when it applies.
    if (due.jobs !== undefined && due.builds === undefined && this.#imageNeedsBuilds(step)) {
      due.builds = due.jobs;
    }
    return due;
  }

  /** Some deploy still to apply has no image yet without a builds list (a reused or followed build). */
  #imageNeedsBuilds(step: Step): boolean {
    const { plan } = step.deployment;
    return [...step.tasks.values()].some(
      (t) =>
        t.kind === 'deploy' &&
        !FINAL_TASK.has(t.state) &&
        t.result?.['applied'] !== true &&
        !imageFor(t.component, plan, step.tasks, undefined).ok,
    );
  }

  /** Per kind of continuous job (with or without a health check): the shortest upsert → ready time seen (ms). */
  readonly #readyAge = new Map<string, number>();

  #learnReadyAge(kind: string, ms: number): void {
    if (ms > 0) this.#readyAge.set(kind, Math.min(this.#readyAge.get(kind) ?? Infinity, ms));
  }

  #jobKind(step: Step, name: string): string | undefined {
    const component = this.component(step, name);
    if (component?.type !== 'continuous') return undefined;
    return component.run.healthCheck ? 'health-checked' : 'plain';
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

  #planTasks?: Map<string, PlanTask>;
  #deployment?: Deployment;

  /** The immutable parts of the deployment (plan, config), cached from the first step. */
  prepare(deployment: Deployment): void {
    if (this.#deployment) return;
    this.#deployment = deployment;
    this.#planTasks = new Map(deployment.plan.tasks.map((t) => [t.id, t]));
  }

  component(step: Step, name: string): Component | undefined {
    return step.deployment.config.components.find((c) => c.name === name);
  }

  componentPlan(step: Step, name: string): ComponentPlan | undefined {
    return step.deployment.plan.components.find((c) => c.name === name);
  }

  dependencies(step: Step, task: DeploymentTask): DependencyVerdict {
    return evaluateDependencies(task, this.planTask(task.id), step.tasks, (name, condition, since) =>
      this.checkWait(step, task, name, condition, since),
    );
  }

  /** A wait-for check of `name` on behalf of `task`, with the wait deadline. */
  checkWait(
    step: Step,
    task: DeploymentTask,
    name: string,
    condition: ReadyCondition,
    since: number | undefined,
  ): WaitCheck {
    const began = since ?? this.waitSince.get(task.id) ?? step.now;
    if (since === undefined) this.waitSince.set(task.id, began);
    const verdict = this.readiness(step, name, condition);
    if (verdict.kind !== 'not-ready') return verdict;
    const timeout = this.options.waitTimeoutMs;
    if (step.now - began > timeout) {
      return {
        kind: 'fail',
        reason: `timed out after ${shortDuration(timeout)} waiting for ${name} to be ${condition} (${verdict.detail})`,
      };
    }
    step.dueAt = Math.min(step.dueAt ?? Infinity, began + timeout + 1);
    return verdict;
  }

  /**
   * Is job `name` ready in the current snapshot, and has it stayed so for `stableForMs` (or, when the runtime
   * cannot see its health, running without a restart for `unknownHealthStableForMs`)?
   */
  readiness(step: Step, name: string, condition: ReadyCondition, notBefore = 0): WaitCheck {
    const snapshot = this.snapshotSince(step, notBefore, 'jobs');
    if (!snapshot) return { kind: 'not-ready', detail: 'no status yet' };
    const job = snapshot.jobs.find((j) => j.name === name);
    const verdict = jobReadiness(name, job, condition);
    if (verdict.kind === 'broken') return { kind: 'fail', reason: verdict.reason };
    const key = `${this.tool}/${name}`;
    const unseenHealth = verdict.kind === 'ready' && verdict.rule === 'no-restart';
    const stableFor =
      condition !== 'healthy'
        ? 0
        : unseenHealth
          ? Math.max(this.options.stableForMs, this.options.unknownHealthStableForMs)
          : this.options.stableForMs;
    // A runtime that tells how long the job has run (jobs-api) dates the ready spell itself: a restart
    // between two looks shows as a shorter uptime, not as nothing.
    const runningSince =
      verdict.kind === 'ready' && job?.runningForMs !== undefined
        ? snapshot.takenAt - job.runningForMs
        : undefined;
    if (this.stability.observe(key, verdict.kind === 'ready', snapshot.takenAt, stableFor, runningSince))
      return { kind: 'ready' };
    if (verdict.kind === 'not-ready') return { kind: 'not-ready', detail: verdict.detail };
    const since = this.stability.readySince(key) ?? snapshot.takenAt;
    step.dueAt = Math.min(step.dueAt ?? Infinity, since + stableFor);
    // The text says which rule decides, so a wait on real Toolforge is not mistaken for a health check.
    return {
      kind: 'not-ready',
      detail: unseenHealth
        ? `running; the runtime reports no health, so ready after ${shortDuration(stableFor)} without a restart`
        : 'healthy, checking that it stays healthy',
    };
  }

  iso(step: Step | undefined): string {
    return step ? new Date(step.now).toISOString() : this.options.now().toISOString();
  }

  due(step: Step, at: number): void {
    step.dueAt = Math.min(step.dueAt ?? Infinity, at);
  }

  #assertAlive(): void {
    if (this.#killed) throw new KilledError('executor was killed');
  }
}
