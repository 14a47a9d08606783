/**
 * An in-memory Runtime for fast executor and planner tests: builds that take a set time and may fail, jobs that
 * start, become healthy replica by replica, crash-loop or never get healthy, a build quota, latencies, seeded
 * fault injection (including "the server acted but the answer was lost") and a call log to count calls.
 *
 * State is derived from the clock on every read (a build is running until `startedAt + durationMs`), so the fake
 * needs no timers and a test can share one instance between two executors, like a real builds-api would be.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  RuntimeError,
  type BuildQuota,
  type CallOptions,
  type JobChange,
  type JobReporting,
  type ObserveOptions,
  type Runtime,
  type RuntimeSnapshot,
  type StartedBuild,
} from '../runtime.js';
import type { BuildRequest } from '../../model/build-request.js';
import type { JobSpec } from '../../model/job-spec.js';
import type { BuildRecord, JobRecord, RefResolution } from '../../model/observed-state.js';
import type {
  FakeBuildBehaviour,
  FakeJobBehaviour,
  FakeMethod,
  FakeRuntimeOptions,
  OneShotFault,
} from './fake-options.js';
import { mulberry32 } from '../../support/seeded-random.js';

export type {
  FakeBuildBehaviour,
  FakeJobBehaviour,
  FakeMethod,
  FakeRepository,
  FakeRuntimeOptions,
  OneShotFault,
} from './fake-options.js';

interface FakeBuild {
  readonly id: string;
  readonly tool: string;
  readonly request: BuildRequest;
  readonly commit: string;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly failWith?: string;
  cancelledAt?: number;
}

interface FakeJob {
  readonly tool: string;
  spec: JobSpec;
  /** Last create/update/restart: the job (re)starts from here. */
  since: number;
}

export interface FakeCall {
  readonly method: FakeMethod;
  readonly tool: string;
  /** Image name, build id or job name. */
  readonly target?: string;
  readonly at: number;
}

export class FakeRuntime implements Runtime {
  readonly name = 'fake' as const;
  /** Health replica by replica, and `runningForMs` like jobs-api's uptime. */
  readonly reports: JobReporting = { health: true, uptimeResolutionMs: 1 };
  readonly calls: FakeCall[] = [];
  readonly #options: FakeRuntimeOptions;
  readonly #now: () => number;
  readonly #builds = new Map<string, FakeBuild>();
  readonly #jobs = new Map<string, FakeJob>();
  readonly #buildBehaviour = new Map<string, FakeBuildBehaviour>();
  readonly #jobBehaviour = new Map<string, FakeJobBehaviour>();
  #random: () => number;
  #buildCounter = 0;
  /** One-shot faults queued by `failNext`, consumed in order by the first matching call. */
  readonly #queued: { method: FakeMethod; fault: OneShotFault; target?: string }[] = [];

  constructor(options: FakeRuntimeOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#random = mulberry32(options.seed ?? 1);
    for (const [name, b] of Object.entries(options.builds ?? {})) this.#buildBehaviour.set(name, b);
    for (const [name, j] of Object.entries(options.jobs ?? {})) this.#jobBehaviour.set(name, j);
  }

  /** Change how future builds of `imageName` behave. */
  setBuildBehaviour(imageName: string, behaviour: FakeBuildBehaviour): void {
    this.#buildBehaviour.set(imageName, behaviour);
  }

  /** Change how job `name` behaves from now on (also a job that already runs). */
  setJobBehaviour(name: string, behaviour: FakeJobBehaviour): void {
    this.#jobBehaviour.set(name, behaviour);
  }

  /**
   * The next call of `method` (for `target`, if given) fails: `unavailable` before doing anything, or
   * `lost-response` after doing it (the answer is lost: a time-out after the server acted).
   */
  failNext(method: FakeMethod, fault: OneShotFault, target?: string): void {
    this.#queued.push({ method, fault, ...(target !== undefined ? { target } : {}) });
  }

  /** Number of calls of `method` (optionally for one target: image name, build id or job name). */
  count(method: FakeMethod, target?: string): number {
    return this.calls.filter((c) => c.method === method && (target === undefined || c.target === target))
      .length;
  }

  /** Seeds an existing, finished build (what a previous deployment left behind). */
  addFinishedBuild(tool: string, request: BuildRequest, commit: string): string {
    const id = this.#newBuildId(request.imageName);
    this.#builds.set(id, { id, tool, request, commit, startedAt: this.#now() - 1000, durationMs: 0 });
    return id;
  }

  /** The tool's state as `observe` would return it, without a call, latency or faults (for assertions). */
  inspect(tool: string): RuntimeSnapshot {
    const now = this.#now();
    const builds = [...this.#builds.values()]
      .filter((b) => b.tool === tool)
      .map((b) => this.#buildRecord(b, now));
    const jobs = [...this.#jobs.values()].filter((j) => j.tool === tool).map((j) => this.#jobRecord(j, now));
    return { builds, jobs };
  }

  /** In memory, so both lists are always returned, whatever `parts` asks for. */
  async observe(tool: string, options?: ObserveOptions): Promise<RuntimeSnapshot> {
    await this.#enter('observe', tool, undefined, options);
    return this.inspect(tool);
  }

  async resolveRef(
    tool: string,
    repository: string,
    ref: string | undefined,
    options?: CallOptions,
  ): Promise<RefResolution> {
    await this.#enter('resolveRef', tool, repository, options);
    return this.#resolve(repository, ref);
  }

  /** Like `runtimes/git.ts`: a missing ref of a known repository is `ok: false` with git's wording. */
  #resolve(repository: string, ref: string | undefined): RefResolution {
    const known = this.#options.repositories?.[repository];
    if (known !== undefined && ref !== undefined && !known.refs.includes(ref)) {
      return {
        ok: false,
        error: `Failed to resolve ref '${ref}' for repository '${repository}', does it exist?`,
      };
    }
    return { ok: true, commit: fakeCommit(repository, ref) };
  }

  async startBuild(tool: string, request: BuildRequest, options?: CallOptions): Promise<StartedBuild> {
    await this.#enter('startBuild', tool, request.imageName, options);
    const quota = this.#options.buildQuota;
    const now = this.#now();
    if (quota !== undefined) {
      const running = [...this.#builds.values()].filter(
        (b) => b.tool === tool && this.#buildState(b, now) === 'running',
      );
      if (running.length >= quota) {
        throw new RuntimeError('quota', `Build limit reached: ${quota} builds running`, { status: 409 });
      }
    }
    const behaviour = this.#buildBehaviour.get(request.imageName) ?? {};
    const id = this.#newBuildId(request.imageName);
    const commit = fakeCommit(request.repository, request.ref);
    // A build of a ref that does not exist starts, then fails cloning it.
    const resolved = this.#resolve(request.repository, request.ref);
    const failWith = resolved.ok ? behaviour.failWith : resolved.error;
    this.#builds.set(id, {
      id,
      tool,
      request,
      commit,
      startedAt: now,
      durationMs: behaviour.durationMs ?? this.#options.buildMs ?? 20,
      ...(failWith !== undefined ? { failWith } : {}),
    });
    this.#maybeLoseResponse('startBuild', request.imageName);
    return { id, resolvedCommit: commit };
  }

  /** builds-api's quota: `buildQuota` builds at once (no limit when unset); `used` counts running builds. */
  async buildQuota(tool: string, options?: CallOptions): Promise<BuildQuota> {
    await this.#enter('buildQuota', tool, undefined, options);
    const now = this.#now();
    const used = [...this.#builds.values()].filter(
      (b) => b.tool === tool && this.#buildState(b, now) === 'running',
    ).length;
    const limit = this.#options.buildQuota;
    return limit === undefined ? { used } : { limit, used };
  }

  async cancelBuild(tool: string, buildId: string, options?: CallOptions): Promise<void> {
    await this.#enter('cancelBuild', tool, buildId, options);
    const build = this.#builds.get(buildId);
    if (!build || build.tool !== tool)
      throw new RuntimeError('not-found', `Build ${buildId} not found`, { status: 404 });
    if (this.#buildState(build, this.#now()) === 'running') build.cancelledAt = this.#now();
  }

  async upsertJob(tool: string, spec: JobSpec, options?: CallOptions): Promise<JobChange> {
    await this.#enter('upsertJob', tool, spec.name, options);
    const rejectWith = this.#jobBehaviour.get(spec.name)?.rejectWith;
    if (rejectWith !== undefined)
      throw new RuntimeError('rejected', `Bad request (400): ${rejectWith}`, { status: 400 });
    const key = `${tool}/${spec.name}`;
    const existing = this.#jobs.get(key);
    const changed = !existing || JSON.stringify(existing.spec) !== JSON.stringify(spec);
    if (changed) this.#jobs.set(key, { tool, spec, since: this.#now() });
    this.#maybeLoseResponse('upsertJob', spec.name);
    const verb = existing ? 'updated' : 'created';
    return {
      changed,
      messages: { info: changed ? [`${verb} ${spec.type} job ${spec.name}`] : [], warning: [], error: [] },
    };
  }

  async restartJob(tool: string, name: string, options?: CallOptions): Promise<void> {
    await this.#enter('restartJob', tool, name, options);
    const job = this.#jobs.get(`${tool}/${name}`);
    if (!job) throw new RuntimeError('not-found', `Job ${name} does not exist`, { status: 404 });
    job.since = this.#now();
    this.#maybeLoseResponse('restartJob', name);
  }

  async runOnce(tool: string, spec: JobSpec, options?: CallOptions): Promise<void> {
    await this.#enter('runOnce', tool, spec.name, options);
    this.#jobs.set(`${tool}/${spec.name}`, { tool, spec, since: this.#now() });
    this.#maybeLoseResponse('runOnce', spec.name);
  }

  async deleteJob(tool: string, name: string, options?: CallOptions): Promise<void> {
    await this.#enter('deleteJob', tool, name, options);
    this.#jobs.delete(`${tool}/${name}`);
  }

  async close(): Promise<void> {}

  /** Logs the call, waits its latency, then maybe fails it before it does anything. */
  async #enter(
    method: FakeMethod,
    tool: string,
    target: string | undefined,
    options?: CallOptions,
  ): Promise<void> {
    this.calls.push({ method, tool, ...(target !== undefined ? { target } : {}), at: this.#now() });
    const latency = this.#options.latencyMs?.[method] ?? 0;
    if (latency > 0)
      await sleep(latency, undefined, options?.signal ? { signal: options.signal } : undefined);
    options?.signal?.throwIfAborted();
    if (this.#takeQueued(method, 'unavailable', target)) {
      throw new RuntimeError('unavailable', `Service unavailable (503): injected fault in ${method}`, {
        status: 503,
      });
    }
    const faults = this.#options.faults;
    if (faults && this.#faultApplies(method) && this.#random() < (faults.errorRate ?? 0)) {
      throw new RuntimeError('unavailable', `Service unavailable (503): injected fault in ${method}`, {
        status: 503,
      });
    }
  }

  #takeQueued(method: FakeMethod, fault: OneShotFault, target: string | undefined): boolean {
    const i = this.#queued.findIndex(
      (q) => q.method === method && q.fault === fault && (q.target === undefined || q.target === target),
    );
    if (i < 0) return false;
    this.#queued.splice(i, 1);
    return true;
  }

  #maybeLoseResponse(method: FakeMethod, target: string): void {
    const rate = this.#options.faults?.lostResponseRate ?? 0;
    const queued = this.#takeQueued(method, 'lost-response', target);
    if (queued || (rate > 0 && this.#faultApplies(method) && this.#random() < rate)) {
      throw new RuntimeError(
        'unavailable',
        `read timed out in ${method} (the request may have been processed)`,
      );
    }
  }

  #faultApplies(method: FakeMethod): boolean {
    const methods = this.#options.faults?.methods;
    return methods === undefined || methods.includes(method);
  }

  #newBuildId(imageName: string): string {
    this.#buildCounter += 1;
    return `${imageName}-buildpacks-pipelinerun-${this.#buildCounter.toString(36).padStart(5, '0')}`;
  }

  #buildState(build: FakeBuild, now: number): BuildRecord['state'] {
    if (build.cancelledAt !== undefined) return 'cancelled';
    if (now < build.startedAt + build.durationMs) return 'running';
    return build.failWith !== undefined ? 'failed' : 'successful';
  }

  #buildRecord(build: FakeBuild, now: number): BuildRecord {
    const state = this.#buildState(build, now);
    const { request } = build;
    const end = build.cancelledAt ?? build.startedAt + build.durationMs;
    return {
      id: build.id,
      imageName: request.imageName,
      ...(state === 'successful'
        ? { image: `tools-harbor.wmcloud.org/tool-${build.tool}/${request.imageName}:latest` }
        : {}),
      repository: request.repository,
      ...(request.ref !== undefined ? { ref: request.ref } : {}),
      resolvedCommit: build.commit,
      useLatestVersions: request.useLatestVersions,
      useDeprecatedVersions: request.useDeprecatedVersions,
      // As builds-api reports `parameters.envvars`: what the build was started with.
      ...(request.envvars && Object.keys(request.envvars).length > 0
        ? { envvars: { ...request.envvars } }
        : {}),
      state,
      ...(state === 'failed' ? { message: build.failWith } : {}),
      startedAt: new Date(build.startedAt).toISOString(),
      ...(state !== 'running' ? { finishedAt: new Date(end).toISOString() } : {}),
    };
  }

  #jobRecord(job: FakeJob, now: number): JobRecord {
    const { spec } = job;
    const behaviour = this.#jobBehaviour.get(spec.name) ?? {};
    const base: Omit<JobRecord, 'state' | 'health'> = { ...spec, type: spec.type };
    if (spec.type === 'scheduled') return { ...base, state: 'registered', health: 'none' };
    const elapsed = now - job.since;
    const startMs = behaviour.startMs ?? this.#options.jobStartMs ?? 5;
    if (spec.type === 'one-off') {
      const startedAt = new Date(job.since).toISOString();
      if (elapsed < startMs || behaviour.neverEnds === true)
        return { ...base, state: 'running', health: 'none', lastRun: { state: 'running', startedAt } };
      const exitCode = behaviour.exitCode ?? 0;
      const finishedAt = new Date(job.since + startMs).toISOString();
      const state = exitCode === 0 ? 'succeeded' : 'failed';
      return {
        ...base,
        state: state === 'succeeded' ? 'completed' : 'failed',
        health: 'none',
        lastRun: { state, startedAt, finishedAt, exitCode },
      };
    }
    const replicas = spec.replicas ?? 1;
    if (elapsed < startMs) return { ...base, state: 'pending', health: 'starting', readyReplicas: 0 };
    if (behaviour.crashLoop !== undefined) {
      return {
        ...base,
        state: 'crash-looping',
        health: 'unhealthy',
        readyReplicas: 0,
        message: behaviour.crashLoop,
      };
    }
    // Like jobs-api's `status.duration`: a restart starts it from zero again.
    const runningForMs = elapsed - startMs;
    if (!spec.healthCheck)
      return { ...base, state: 'running', health: 'none', readyReplicas: replicas, runningForMs };
    if (behaviour.neverHealthy)
      return { ...base, state: 'running', health: 'unhealthy', readyReplicas: 0, runningForMs };
    // Replicas pass their health check one after another over `healthyMs`.
    const healthyMs = behaviour.healthyMs ?? this.#options.jobHealthyMs ?? 5;
    const progress = healthyMs <= 0 ? 1 : (elapsed - startMs) / healthyMs;
    const ready = Math.min(replicas, Math.floor(progress * replicas));
    return {
      ...base,
      state: 'running',
      health: ready >= replicas ? 'healthy' : 'starting',
      readyReplicas: ready,
      runningForMs,
    };
  }
}

/** A stable 40-hex commit for repository + ref, no network. */
export function fakeCommit(repository: string, ref: string | undefined): string {
  return createHash('sha1')
    .update(`${repository}#${ref ?? 'HEAD'}`)
    .digest('hex');
}
