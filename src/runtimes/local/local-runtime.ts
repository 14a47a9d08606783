/**
 * The local runtime: builds a tool's images from git repositories or directories into a content-addressed image
 * store, runs continuous components as supervised processes and scheduled ones with cron, all on 127.0.0.1.
 * Same `Runtime` interface as the Toolforge runtime, so status, plan and the executor do not know the
 * difference.
 *
 * Lifecycle: constructing one loads the persisted builds and jobs (visible to `observe` at once); `start()`
 * brings the persisted jobs back (after a restart of the daemon); `shutdown()` (= `close()`) stops every
 * process this instance started and leaves the persisted state, so the next `start()` restores it. A runtime
 * that never called `start()` and never deployed anything stops nothing, so a CLI can read state safely.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CallOptions, JobChange, Runtime, RuntimeSnapshot, StartedBuild } from '../runtime.js';
import type { BuildRequest } from '../../model/build-request.js';
import type { JobSpec } from '../../model/job-spec.js';
import { RuntimeError } from '../runtime.js';
import type { BuildRecord, JobRecord, RefResolution } from '../../model/observed-state.js';
import { ImageStore, parseImageRef } from './build/image-store.js';
import { LocalBuilder } from './build/local-builder.js';
import { folderLimitsFromEnv, type FolderLimits } from './build/folder-limits.js';
import { resolveSource } from './build/source.js';
import { readProcfile, resolveCommand } from './jobs/command.js';
import { ContinuousJob } from './jobs/continuous-job.js';
import { jobEnv } from './jobs/job-env.js';
import { specFields } from './jobs/job-record.js';
import { ScheduledJob, validateSchedule, type RunRecord } from './jobs/scheduled-job.js';
import { OneOffJob } from './jobs/one-off-job.js';
import { followLines } from './logs/follow-lines.js';
import { LogFile } from './logs/log-file.js';
import { markerEnv, newMarker, type InstanceMarker } from './process/instance-marker.js';
import { sweepInstance, type SweepReport } from './process/instance-sweep.js';
import { PidRegistry } from './process/pid-registry.js';
import { readJsonFile, writeJsonAtomic } from './state/json-file.js';
import { assertSafeName, LocalPaths } from './state/local-paths.js';
import { DEFAULT_TIMINGS, type LocalTimings } from './timings.js';

export interface LocalRuntimeOptions {
  readonly dataDir: string;
  /** Everything binds here; only loopback is supported. */
  readonly host?: '127.0.0.1';
  /** The tool's environment variables, given to every process. */
  readonly env?: Record<string, string>;
  /** Shorter delays for tests. */
  readonly timings?: Partial<LocalTimings>;
  /** Image builds running at once (default: the number of cores, at least 2); the others wait `pending`. */
  readonly maxParallelBuilds?: number;
  /**
   * Bounds on plain-folder sources; what is not given comes from TOOLFORGE_COMPONENTS_FOLDER_MAX_FILES and
   * TOOLFORGE_COMPONENTS_FOLDER_MAX_BYTES, else the defaults (20 000 entries, 512 MiB).
   */
  readonly folderLimits?: Partial<FolderLimits>;
}

interface StoredJob {
  readonly spec: JobSpec;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface JobEntry {
  readonly tool: string;
  stored: StoredJob;
  runner?: ContinuousJob | ScheduledJob | OneOffJob;
  log?: LogFile;
}

/** Key order and absent fields must not make two equal specs look different. */
function canonical(spec: JobSpec): string {
  const record = spec as unknown as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return JSON.stringify(keys.map((k) => [k, record[k]]));
}

export class LocalRuntime implements Runtime {
  readonly name = 'local' as const;
  readonly paths: LocalPaths;
  private readonly host: string;
  private readonly toolEnv: Record<string, string>;
  private readonly timings: LocalTimings;
  private readonly images: ImageStore;
  private readonly builder: LocalBuilder;
  private readonly registry: PidRegistry;
  private readonly folderLimits: FolderLimits;
  /** In the environment of every process this runtime starts, so that escaped ones can be found. */
  readonly marker: InstanceMarker;
  /** Set once this runtime ran anything: only then may `shutdown()` sweep the instance's processes. */
  private supervising = false;
  private readonly jobs = new Map<string, Map<string, JobEntry>>();
  /** Per-job chain so that two changes of one job never interleave. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(options: LocalRuntimeOptions) {
    this.paths = new LocalPaths(resolve(options.dataDir));
    this.host = options.host ?? '127.0.0.1';
    this.toolEnv = { ...options.env };
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.folderLimits = { ...folderLimitsFromEnv(process.env), ...options.folderLimits };
    this.marker = newMarker(this.paths.root);
    mkdirSync(this.paths.stateRoot, { recursive: true });
    this.registry = new PidRegistry(this.paths.pidsFile);
    this.images = new ImageStore(this.paths);
    this.builder = new LocalBuilder({
      paths: this.paths,
      images: this.images,
      timings: this.timings,
      registry: this.registry,
      folderLimits: this.folderLimits,
      env: markerEnv(this.marker),
      ...(options.maxParallelBuilds !== undefined ? { maxParallelBuilds: options.maxParallelBuilds } : {}),
    });
    this.loadJobs();
  }

  /**
   * Stops leftovers of a runtime that died uncleanly — the process groups it recorded, then every process still
   * carrying this data dir's marker (those that daemonized out of their group) — and runs every persisted job
   * that is not running. Returns what the sweep stopped.
   */
  async start(): Promise<SweepReport> {
    this.supervising = true;
    await this.registry.killLeftovers();
    const leftovers = await sweepInstance(this.marker, {
      graceMs: this.timings.stopGraceMs,
      exceptSupervisor: this.marker.supervisor,
    });
    for (const [tool, jobs] of this.jobs) {
      for (const name of jobs.keys()) {
        await this.locked(tool, name, async () => {
          const entry = this.jobs.get(tool)?.get(name);
          if (entry && !entry.runner) await this.launch(entry);
        });
      }
    }
    return leftovers;
  }

  /**
   * Stops every process this runtime started (builds, replicas, runs), then sweeps for the ones that left their
   * process group, and reports those. Persisted jobs stay for `start()`.
   */
  async shutdown(): Promise<SweepReport> {
    const entries = [...this.jobs.values()].flatMap((jobs) => [...jobs.values()]);
    // Through the job locks, so that a change in flight finishes first and cannot start a process afterwards.
    await Promise.all([
      this.builder.shutdown(),
      ...entries.map((entry) =>
        this.locked(entry.tool, entry.stored.spec.name, () => this.stopRunner(entry)),
      ),
    ]);
    // A runtime that only read state must not touch the processes of the daemon that owns this data dir.
    if (!this.supervising) return { stopped: [], survivors: [] };
    return sweepInstance(this.marker, { graceMs: this.timings.stopGraceMs });
  }

  /** For the local runtime closing is shutting down: a runtime that stops supervising must leave no process. */
  async close(): Promise<void> {
    await this.shutdown();
  }

  async observe(tool: string, _options?: CallOptions): Promise<RuntimeSnapshot> {
    const jobs = [...(this.jobs.get(tool)?.values() ?? [])].map((entry) => this.jobRecord(entry));
    return { builds: this.builder.list(tool), jobs };
  }

  resolveRef(
    _tool: string,
    repository: string,
    ref: string | undefined,
    options?: CallOptions,
  ): Promise<RefResolution> {
    return resolveSource(repository, ref, options?.signal, this.folderLimits);
  }

  async startBuild(tool: string, request: BuildRequest, _options?: CallOptions): Promise<StartedBuild> {
    this.supervising = true;
    return this.builder.start(tool, request);
  }

  cancelBuild(tool: string, buildId: string, _options?: CallOptions): Promise<void> {
    return this.builder.cancel(tool, buildId);
  }

  buildLogs(tool: string, buildId: string, _options?: CallOptions): Promise<string[]> {
    return this.builder.logs(tool, buildId);
  }

  /** Resolves once the build has ended (for `up`, benches and tests). */
  waitForBuild(tool: string, buildId: string): Promise<BuildRecord | undefined> {
    return this.builder.wait(tool, buildId);
  }

  upsertJob(tool: string, spec: JobSpec, _options?: CallOptions): Promise<JobChange> {
    assertSafeName('tool', tool);
    assertSafeName('job', spec.name);
    return this.locked(tool, spec.name, async () => {
      this.checkSpec(spec);
      const jobs = this.toolJobs(tool);
      const existing = jobs.get(spec.name);
      if (existing && canonical(existing.stored.spec) === canonical(spec)) {
        if (!existing.runner) await this.launch(existing);
        // It could not start (its port was taken): what kept it from starting may be gone by now.
        else if (existing.runner instanceof ContinuousJob && existing.runner.blocked)
          await existing.runner.restart();
        return { changed: false, messages: { info: [], warning: [], error: [] } };
      }
      const now = new Date().toISOString();
      const entry: JobEntry = existing ?? { tool, stored: { spec, createdAt: now, updatedAt: now } };
      if (existing) await this.stopRunner(existing);
      entry.stored = { spec, createdAt: existing?.stored.createdAt ?? now, updatedAt: now };
      jobs.set(spec.name, entry);
      this.saveJobs(tool);
      await this.launch(entry);
      const verb = existing ? 'updated' : 'created';
      return {
        changed: true,
        messages: { info: [`${verb} ${spec.type} job ${spec.name}`], warning: [], error: [] },
      };
    });
  }

  /**
   * A new run of one-off job `spec`: a run of the job still going is stopped first (it is being replaced),
   * the spec is stored, and the run starts in the background; `observe` reports it as the job's `lastRun`.
   */
  runOnce(tool: string, spec: JobSpec, _options?: CallOptions): Promise<void> {
    assertSafeName('tool', tool);
    assertSafeName('job', spec.name);
    if (spec.type !== 'one-off') throw new RuntimeError('rejected', `job ${spec.name} is not a one-off job`);
    return this.locked(tool, spec.name, async () => {
      this.checkSpec(spec);
      const jobs = this.toolJobs(tool);
      const existing = jobs.get(spec.name);
      if (existing) await this.stopRunner(existing);
      const now = new Date().toISOString();
      const entry: JobEntry = existing ?? { tool, stored: { spec, createdAt: now, updatedAt: now } };
      entry.stored = { spec, createdAt: existing?.stored.createdAt ?? now, updatedAt: now };
      jobs.set(spec.name, entry);
      this.saveJobs(tool);
      await this.launch(entry, { run: true });
    });
  }

  restartJob(tool: string, name: string, _options?: CallOptions): Promise<void> {
    return this.locked(tool, name, async () => {
      const entry = this.jobs.get(tool)?.get(name);
      if (!entry) throw new RuntimeError('not-found', `job ${name} not found`);
      if (entry.runner) await entry.runner.restart();
      else await this.launch(entry);
    });
  }

  deleteJob(tool: string, name: string, _options?: CallOptions): Promise<void> {
    return this.locked(tool, name, async () => {
      const entry = this.jobs.get(tool)?.get(name);
      if (!entry) return;
      await this.stopRunner(entry);
      await entry.log?.close();
      this.jobs.get(tool)?.delete(name);
      this.saveJobs(tool);
    });
  }

  async *jobLogs(
    tool: string,
    name: string,
    options?: CallOptions & { readonly follow?: boolean },
  ): AsyncGenerator<string> {
    assertSafeName('tool', tool);
    assertSafeName('job', name);
    const path = this.paths.jobLog(tool, name);
    if (!this.jobs.get(tool)?.has(name) && !existsSync(path)) {
      throw new RuntimeError('not-found', `job ${name} not found`);
    }
    yield* followLines(path, { follow: options?.follow, signal: options?.signal });
  }

  /** A scheduled or one-off job's runs (one record per attempt), oldest first. */
  runs(tool: string, name: string): readonly RunRecord[] {
    const entry = this.jobs.get(tool)?.get(name);
    if (!entry) throw new RuntimeError('not-found', `job ${name} not found`);
    if (entry.runner instanceof ScheduledJob || entry.runner instanceof OneOffJob) return entry.runner.runs;
    return readJsonFile<RunRecord[]>(this.paths.runsFile(tool, name), []);
  }

  /** Runs a scheduled job now (no overlap: false when a run is in progress); resolves when it ended. */
  async runJobNow(tool: string, name: string): Promise<boolean> {
    const runner = this.jobs.get(tool)?.get(name)?.runner;
    if (!(runner instanceof ScheduledJob))
      throw new RuntimeError('not-found', `scheduled job ${name} not running`);
    return runner.trigger('manual');
  }

  /** Pids of a job's processes right now (running replicas, or the scheduled run in progress). */
  jobPids(tool: string, name: string): number[] {
    const runner = this.jobs.get(tool)?.get(name)?.runner;
    if (runner instanceof ContinuousJob) return runner.pids;
    const pid = runner?.runningPid;
    return pid === undefined ? [] : [pid];
  }

  private checkSpec(spec: JobSpec): void {
    const imageDir = this.imageDir(spec.image);
    resolveCommand(spec.command, readProcfile(imageDir));
    if (spec.type === 'scheduled') validateSchedule(spec.schedule);
  }

  private imageDir(image: string): string {
    const parsed = parseImageRef(image);
    if (!parsed || !this.images.has(parsed.key)) {
      throw new RuntimeError('rejected', `image ${image} is not in the local image store (build it first)`);
    }
    return this.images.dir(parsed.key);
  }

  /** `run`: a one-off job runs now (else it only reports its last run, e.g. when the daemon starts again). */
  private async launch(entry: JobEntry, options: { readonly run?: boolean } = {}): Promise<void> {
    this.supervising = true;
    const { spec } = entry.stored;
    entry.log ??= new LogFile(this.paths.jobLog(entry.tool, spec.name));
    let imageDir: string;
    let shellCommand: string;
    try {
      imageDir = this.imageDir(spec.image);
      shellCommand = resolveCommand(spec.command, readProcfile(imageDir));
    } catch (error) {
      // A persisted job whose image was removed: keep it visible as not running, with the reason.
      entry.log.write(spec.name, `cannot start: ${(error as Error).message}`);
      if (spec.type === 'one-off' && options.run) throw error;
      return;
    }
    const toolDataDir = this.paths.toolDataDir(entry.tool);
    mkdirSync(toolDataDir, { recursive: true });
    const siblings = [...this.toolJobs(entry.tool).values()].map((e) => e.stored.spec);
    const env = {
      ...jobEnv({ spec, imageDir, toolDataDir, host: this.host, toolEnv: this.toolEnv, siblings }),
      ...markerEnv(this.marker),
    };
    const common = {
      spec,
      shellCommand,
      imageDir,
      env,
      timings: this.timings,
      log: entry.log,
      registry: this.registry,
    };
    if (spec.type === 'continuous') {
      const runner = new ContinuousJob({ ...common, host: this.host });
      entry.runner = runner;
      await runner.start();
    } else if (spec.type === 'one-off') {
      const runner = new OneOffJob({ ...common, tool: entry.tool, paths: this.paths });
      entry.runner = runner;
      if (options.run) runner.run();
    } else {
      const runner = new ScheduledJob({ ...common, tool: entry.tool, paths: this.paths });
      entry.runner = runner;
      runner.start();
    }
  }

  private async stopRunner(entry: JobEntry): Promise<void> {
    const runner = entry.runner;
    entry.runner = undefined;
    await runner?.stop();
  }

  private jobRecord(entry: JobEntry): JobRecord {
    if (entry.runner) return entry.runner.record();
    return {
      ...specFields(entry.stored.spec),
      state: 'pending',
      health: entry.stored.spec.healthCheck ? 'starting' : 'none',
      readyReplicas: 0,
      message: entry.log?.lastLines(1)[0] ?? 'not started',
    };
  }

  private locked<T>(tool: string, name: string, work: () => Promise<T>): Promise<T> {
    const key = `${tool}/${name}`;
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return next;
  }

  private toolJobs(tool: string): Map<string, JobEntry> {
    let jobs = this.jobs.get(tool);
    if (!jobs) {
      jobs = new Map();
      this.jobs.set(tool, jobs);
    }
    return jobs;
  }

  private saveJobs(tool: string): void {
    writeJsonAtomic(
      this.paths.jobsFile(tool),
      [...this.toolJobs(tool).values()].map((entry) => entry.stored),
    );
  }

  private loadJobs(): void {
    for (const dir of readdirSync(this.paths.stateRoot, { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      const stored = readJsonFile<StoredJob[]>(this.paths.jobsFile(dir.name), []);
      if (stored.length === 0) continue;
      const jobs = this.toolJobs(dir.name);
      for (const job of stored) jobs.set(job.spec.name, { tool: dir.name, stored: job });
    }
  }
}
