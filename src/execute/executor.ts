/**
 * The executor: runs stored deployments in the background of the API server.
 *
 * `advance(deploymentId, clock)` is the one entry point that moves a deployment: the worker loops, a cancel
 * (the API flags the deployment and notifies), wait deadlines (checked by every step) and tests all go through
 * it. Each deployment this replica holds the lease of gets a worker loop that advances it again and again: right
 * away when a runtime call finished or `notify` was called, else when the step says something is due, on an
 * adaptive tick. The lease is renewed every ttl/3; a deployment whose lease lapsed (a dead replica) is taken
 * over by the next scan. `start()` resumes whatever the store says is unfinished, so a restart needs no
 * special path.
 *
 * Runtime calls go through one `GuardedRuntime` (time limits, retries of reads); see src/runtimes/guarded-runtime.ts.
 */
import { ACTIVE_DEPLOYMENT_STATES, DEPLOYMENT_STATES, type DeploymentState } from '../model/deployment.js';
import type { DeploymentScheduler } from './scheduler.js';
import { DeploymentRun, type StepOutcome } from './deployment-run.js';
import { resolveOptions, type ExecutorOptions, type ResolvedOptions } from './executor-options.js';
import { GuardedRuntime } from '../runtimes/guarded-runtime.js';
import type { Clock } from './clock.js';

export type { ExecutorOptions } from './executor-options.js';

/** Deployments an executor works on: active ones, and those flagged for cancellation. */
const WORK_STATES: readonly DeploymentState[] = [...ACTIVE_DEPLOYMENT_STATES, 'cancelling'];

interface Worker {
  readonly run: DeploymentRun;
  loop?: Promise<void>;
  heartbeat?: NodeJS.Timeout;
  /** The renewal in flight, awaited before the lease is released (else it could re-take it afterwards). */
  renewing?: Promise<void>;
  lostLease: boolean;
  /** Resolves the current sleep early. */
  poke: () => void;
  /** A poke that came while no sleep was pending: skip the next sleep. */
  poked: boolean;
}

export class Executor implements DeploymentScheduler {
  readonly #options: ResolvedOptions;
  readonly #workers = new Map<string, Worker>();
  /** deploymentId → tool, learned from scans (the store looks deployments up by tool). */
  readonly #tools = new Map<string, string>();
  #scanTimer?: NodeJS.Timeout;
  #running = false;
  #killed = false;
  /** Errors the loops swallowed to keep going (store hiccups); for logs and tests. */
  readonly errors: unknown[] = [];

  readonly #runtime: GuardedRuntime;

  constructor(options: ExecutorOptions) {
    this.#options = resolveOptions(options);
    // A failed read needs no sleep here: the next step reads again when its tick (on the executor's clock)
    // comes. A runtime guarded already (the instance shares one with the API) keeps its own policy.
    this.#runtime = GuardedRuntime.of(options.runtime, {
      callTimeoutMs: this.#options.callTimeoutMs,
      readAttempts: 1,
    });
  }

  get owner(): string {
    return this.#options.owner;
  }

  /** Resumes every unfinished deployment whose lease it can take, and keeps scanning for lapsed leases. */
  async start(): Promise<void> {
    if (this.#killed) throw new Error('an abandoned executor cannot be started again');
    this.#running = true;
    await this.#scan();
    this.#scanTimer = setInterval(
      () => void this.#scan().catch((e: unknown) => this.#remember(e)),
      this.#scanEveryMs(),
    );
    this.#scanTimer.unref();
  }

  notify(deploymentId: string): void {
    const worker = this.#workers.get(deploymentId);
    if (worker) {
      worker.poke();
      return;
    }
    if (this.#running) void this.#adopt(deploymentId).catch((e: unknown) => this.#remember(e));
  }

  /**
   * One step of deployment `deploymentId` at `clock`'s time: takes the lease if it is free (else does
   * nothing), then moves every task as far as the stored state and the runtime allow. Re-entrant: calling it
   * again continues from the stored state; runtime calls it starts finish in the background (`settled` waits
   * for them). Resolves `undefined` when this replica does not hold the deployment.
   */
  async advance(deploymentId: string, clock: Clock = this.#options.clock): Promise<StepOutcome | undefined> {
    // A killed process does nothing more: no step, no write (see `abandon`).
    if (this.#killed) throw new Error('this executor was killed (abandoned): it advances nothing');
    const worker = this.#workers.get(deploymentId);
    if (worker) return worker.run.step(clock);
    const tool = await this.#toolOf(deploymentId);
    if (tool === undefined) return undefined;
    if (!(await this.#options.store.acquireLease(deploymentId, this.owner, this.#options.leaseTtlMs)))
      return undefined;
    const existing = this.#runs.get(deploymentId);
    const run = existing && !existing.killed ? existing : this.#newRun(deploymentId, tool);
    return run.step(clock);
  }

  /** Waits until the runtime calls `advance` started for the deployment have persisted their outcome. */
  async settled(deploymentId: string): Promise<void> {
    await this.#runs.get(deploymentId)?.drain();
  }

  /** Graceful: stop scheduling, let in-flight calls finish and persist, release the leases. */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#scanTimer);
    const loops = [...this.#workers.values()].map((w) => {
      w.poke();
      return w.loop;
    });
    await Promise.allSettled(loops);
    await Promise.allSettled([...this.#runs.values()].map((r) => r.drain()));
  }

  /**
   * Stops at once, writing nothing more and keeping the leases, as a killed process would. For tests of
   * resume and take-over, and for a process that must go down now.
   */
  abandon(): void {
    this.#killed = true;
    this.#running = false;
    clearInterval(this.#scanTimer);
    for (const worker of this.#workers.values()) {
      clearInterval(worker.heartbeat);
      worker.run.kill();
      worker.poke();
    }
    for (const run of this.#runs.values()) run.kill();
  }

  /** Deployments this replica works on right now. */
  get active(): string[] {
    return [...this.#workers.keys()];
  }

  /** Runs also created by `advance` without a worker loop, so that stop/abandon reach them too. */
  readonly #runs = new Map<string, DeploymentRun>();

  #newRun(id: string, tool: string): DeploymentRun {
    const run = new DeploymentRun(
      { store: this.#options.store, runtime: this.#runtime, options: this.#options },
      id,
      tool,
    );
    this.#runs.set(id, run);
    return run;
  }

  #scanEveryMs(): number {
    return Math.max(50, Math.round(this.#options.leaseTtlMs / 2));
  }

  async #scan(): Promise<void> {
    if (!this.#running) return;
    const deployments = await this.#options.store.findDeployments(WORK_STATES);
    for (const d of deployments) {
      this.#tools.set(d.id, d.tool);
      if (!this.#workers.has(d.id)) await this.#adopt(d.id);
    }
  }

  async #toolOf(id: string): Promise<string | undefined> {
    const known = this.#tools.get(id);
    if (known !== undefined) return known;
    const all = await this.#options.store.findDeployments(DEPLOYMENT_STATES);
    for (const d of all) this.#tools.set(d.id, d.tool);
    return this.#tools.get(id);
  }

  async #adopt(id: string): Promise<void> {
    if (!this.#running || this.#workers.has(id)) return;
    const tool = await this.#toolOf(id);
    if (tool === undefined || !this.#running || this.#workers.has(id)) return;
    const { store, leaseTtlMs } = this.#options;
    if (!(await store.acquireLease(id, this.owner, leaseTtlMs))) return;
    if (!this.#running || this.#workers.has(id)) return;
    // Reuse a run that `advance` created: its in-flight calls must stay known, or a task could start twice.
    const existing = this.#runs.get(id);
    const worker: Worker = {
      run: existing && !existing.killed ? existing : this.#newRun(id, tool),
      lostLease: false,
      poke: () => {
        worker.poked = true;
      },
      poked: false,
    };
    worker.run.wake = () => worker.poke();
    this.#workers.set(id, worker);
    worker.heartbeat = setInterval(
      () => {
        worker.renewing ??= this.#renew(worker).finally(() => (worker.renewing = undefined));
      },
      Math.max(10, Math.round(leaseTtlMs / 3)),
    );
    worker.heartbeat.unref();
    worker.loop = this.#loop(worker);
  }

  async #renew(worker: Worker): Promise<void> {
    try {
      const held = await this.#options.store.acquireLease(
        worker.run.id,
        this.owner,
        this.#options.leaseTtlMs,
      );
      if (!held && !this.#killed) {
        worker.lostLease = true;
        worker.poke();
      }
    } catch (error) {
      // A missed renewal is not a lost lease yet; the next one may succeed.
      this.#remember(error);
    }
  }

  async #loop(worker: Worker): Promise<void> {
    const { tick } = this.#options;
    let delay = tick.minMs;
    try {
      while (this.#running && !worker.lostLease && !this.#killed) {
        let outcome: StepOutcome;
        try {
          outcome = await worker.run.step(this.#options.clock);
        } catch (error) {
          if (this.#killed) return;
          this.#remember(error);
          outcome = { finished: false, changed: false };
        }
        if (outcome.finished) break;
        delay = outcome.changed ? tick.minMs : Math.min(tick.maxMs, Math.round(delay * 1.5));
        const now = this.#options.clock.now();
        const wait = outcome.dueAt !== undefined ? Math.min(delay, Math.max(0, outcome.dueAt - now)) : delay;
        await this.#sleep(worker, wait);
      }
      if (!this.#killed) await worker.run.drain();
    } finally {
      clearInterval(worker.heartbeat);
      await worker.renewing;
      this.#workers.delete(worker.run.id);
      if (!this.#killed && !worker.lostLease) {
        await this.#options.store
          .releaseLease(worker.run.id, this.owner)
          .catch((e: unknown) => this.#remember(e));
      }
      if (!this.#killed) this.#runs.delete(worker.run.id);
    }
  }

  #sleep(worker: Worker, ms: number): Promise<void> {
    if (worker.poked) {
      worker.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        worker.poked = false;
        worker.poke = previous;
        resolve();
      }
      const previous = (): void => {
        worker.poked = true;
      };
      worker.poke = done;
    });
  }

  #remember(error: unknown): void {
    this.errors.push(error);
    if (this.errors.length > 100) this.errors.shift();
  }
}
