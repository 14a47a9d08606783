/**
 * Asynchronous builds into the image store. `start` records the build and returns its id at once; the work
 * (resolve → checkout → build steps → rename into place) runs in the background and is visible through
 * `list` (pending → running → successful | failed | cancelled). Records are persisted per tool; a build that
 * was running when a previous runtime died is reported failed, since its process died with it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import type { StartedBuild } from '../../runtime.js';
import type { BuildRequest } from '../../../model/build-request.js';
import { RuntimeError } from '../../runtime.js';
import type { BuildRecord } from '../../../model/observed-state.js';
import { LogFile } from '../logs/log-file.js';
import type { PidRegistry } from '../process/pid-registry.js';
import { describeExit, spawnGroup, stopGroup } from '../process/process-group.js';
import { readJsonFile, writeJsonAtomic } from '../state/json-file.js';
import { assertSafeName, type LocalPaths } from '../state/local-paths.js';
import type { LocalTimings } from '../timings.js';
import { detectBuildSteps } from './build-steps.js';
import { imageKey, imageRef, type ImageStore } from './image-store.js';
import type { FolderLimits } from './folder-limits.js';
import { Slots } from './slots.js';
import { checkoutSource, classifySource, resolveSource } from './source.js';

export interface LocalBuilderOptions {
  readonly paths: LocalPaths;
  readonly images: ImageStore;
  readonly timings: LocalTimings;
  readonly registry: PidRegistry;
  /** Bounds on plain-folder sources (hashing and copying). */
  readonly folderLimits: FolderLimits;
  /** Added to every build step's environment (the instance marker). */
  readonly env: Readonly<Record<string, string>>;
  readonly maxParallelBuilds?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface BuildEntry {
  readonly tool: string;
  readonly record: Mutable<BuildRecord>;
  readonly controller: AbortController;
  done?: Promise<void>;
}

/** Builds kept per tool (oldest finished ones are forgotten first). */
const KEEP_BUILDS = 50;
const MESSAGE_LOG_LINES = 15;
const ACTIVE = new Set(['pending', 'running']);

class Cancelled extends Error {}

/** The source could not be resolved: its message says it all, the build log has nothing more to add. */
class UnresolvedSource extends Error {}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new Cancelled('cancelled'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class LocalBuilder {
  private readonly byTool = new Map<string, Map<string, BuildEntry>>();
  /** Image key → the build producing it, so that two builds of one source share the work. */
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly slots: Slots;

  private readonly paths: LocalPaths;
  private readonly images: ImageStore;
  private readonly timings: LocalTimings;
  private readonly registry: PidRegistry;
  private readonly folderLimits: FolderLimits;
  private readonly extraEnv: Readonly<Record<string, string>>;

  constructor(options: LocalBuilderOptions) {
    this.paths = options.paths;
    this.images = options.images;
    this.timings = options.timings;
    this.registry = options.registry;
    this.folderLimits = options.folderLimits;
    this.extraEnv = options.env;
    this.slots = new Slots(options.maxParallelBuilds ?? Math.max(2, availableParallelism()));
    this.load();
  }

  list(tool: string): BuildRecord[] {
    return [...(this.byTool.get(tool)?.values() ?? [])].map((entry) => ({ ...entry.record }));
  }

  get(tool: string, id: string): BuildRecord | undefined {
    const entry = this.byTool.get(tool)?.get(id);
    return entry ? { ...entry.record } : undefined;
  }

  start(tool: string, request: BuildRequest): StartedBuild {
    assertSafeName('tool', tool);
    assertSafeName('image', request.imageName);
    const id = `${request.imageName}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const record: Mutable<BuildRecord> = {
      id,
      imageName: request.imageName,
      repository: request.repository,
      ref: request.ref,
      useLatestVersions: request.useLatestVersions,
      useDeprecatedVersions: request.useDeprecatedVersions,
      // Recorded as builds-api reports them, so the planner sees the same build inputs and reuses the image.
      ...(request.envvars && Object.keys(request.envvars).length > 0
        ? { envvars: { ...request.envvars } }
        : {}),
      state: 'pending',
    };
    const entry: BuildEntry = { tool, record, controller: new AbortController() };
    this.toolBuilds(tool).set(id, entry);
    this.prune(tool);
    this.save(tool);
    entry.done = this.run(entry, request);
    return { id };
  }

  async cancel(tool: string, id: string): Promise<void> {
    const entry = this.byTool.get(tool)?.get(id);
    if (!entry) throw new RuntimeError('not-found', `build ${id} not found`);
    if (!ACTIVE.has(entry.record.state)) return;
    entry.controller.abort();
    await entry.done;
  }

  async logs(tool: string, id: string): Promise<string[]> {
    if (!this.byTool.get(tool)?.has(id)) throw new RuntimeError('not-found', `build ${id} not found`);
    const text = await readFile(this.paths.buildLog(tool, id), 'utf8').catch(() => '');
    return text.split('\n').filter((line) => line !== '');
  }

  /** Waits for a build to end (tests, `up`). */
  async wait(tool: string, id: string): Promise<BuildRecord | undefined> {
    await this.byTool.get(tool)?.get(id)?.done;
    return this.get(tool, id);
  }

  async shutdown(): Promise<void> {
    const active = [...this.byTool.values()].flatMap((builds) => [...builds.values()]);
    for (const entry of active) if (ACTIVE.has(entry.record.state)) entry.controller.abort();
    await Promise.all(active.map((entry) => entry.done));
  }

  private async run(entry: BuildEntry, request: BuildRequest): Promise<void> {
    const log = new LogFile(this.paths.buildLog(entry.tool, entry.record.id), 40);
    const say = (line: string): void => log.write('build', line);
    const signal = entry.controller.signal;
    let release: (() => void) | undefined;
    try {
      // Queued builds stay `pending`; the machine's cores bound how many run at once.
      release = await this.slots.acquire(signal);
      this.update(entry, { state: 'running', startedAt: new Date().toISOString() });
      say(`building ${request.imageName} from ${request.repository}${request.ref ? `@${request.ref}` : ''}`);
      const resolution = await abortable(
        resolveSource(request.repository, request.ref, signal, this.folderLimits),
        signal,
      );
      if (!resolution.ok) throw new UnresolvedSource(`cannot resolve ref: ${resolution.error}`);
      this.update(entry, { resolvedCommit: resolution.commit });
      const key = imageKey({ ...request, commit: resolution.commit });
      await this.ensureImage(key, request, resolution.commit, log, signal);
      say(`image ready: ${imageRef(entry.tool, request.imageName, key)}`);
      this.update(entry, {
        state: 'successful',
        image: imageRef(entry.tool, request.imageName, key),
        finishedAt: new Date().toISOString(),
      });
    } catch (error) {
      const cancelled = signal.aborted;
      const reason = cancelled ? 'build cancelled' : (error as Error).message;
      say(reason);
      const tail = log.lastLines(MESSAGE_LOG_LINES);
      this.update(entry, {
        state: cancelled ? 'cancelled' : 'failed',
        message:
          cancelled || error instanceof UnresolvedSource
            ? reason
            : `${reason}; last log lines:\n${tail.join('\n')}`,
        finishedAt: new Date().toISOString(),
      });
    } finally {
      release?.();
      await log.close();
    }
  }

  private async ensureImage(
    key: string,
    request: BuildRequest,
    commit: string,
    log: LogFile,
    signal: AbortSignal,
  ): Promise<void> {
    if (this.images.has(key)) {
      log.write('build', `image ${key.slice(0, 12)} already built from this source and flags: not rebuilt`);
      return;
    }
    const other = this.inflight.get(key);
    if (other) {
      log.write('build', 'following a build of the same source that is already running');
      await abortable(other, signal);
      return;
    }
    const work = this.buildImage(key, request, commit, log, signal);
    this.inflight.set(key, work);
    try {
      await work;
    } finally {
      this.inflight.delete(key);
    }
  }

  private async buildImage(
    key: string,
    request: BuildRequest,
    commit: string,
    log: LogFile,
    signal: AbortSignal,
  ): Promise<void> {
    const staging = await this.images.newStagingDir(key);
    const envvars = request.envvars ?? {};
    try {
      await checkoutSource(
        classifySource(request.repository),
        commit,
        staging,
        signal,
        (l) => log.write('checkout', l),
        this.folderLimits,
      );
      const { steps, notes } = detectBuildSteps(staging);
      if (existsSync(join(staging, 'Procfile'))) log.write('build', 'Procfile found');
      for (const note of notes) log.write('build', note);
      const names = Object.keys(envvars).sort();
      // Names only: values may be secrets, and the build log is readable through `logs --build`.
      if (names.length > 0) log.write('build', `build environment variables: ${names.join(', ')}`);
      for (const step of steps) {
        if (signal.aborted) throw new Cancelled('cancelled');
        log.write('build', `running ${step.name}`);
        const proc = spawnGroup(step.command, {
          cwd: staging,
          env: {
            ...process.env,
            ...envvars,
            ...this.extraEnv,
            PATH: [join(staging, 'node_modules', '.bin'), process.env.PATH].join(delimiter),
          },
          onLine: (line) => log.write(step.name, line),
          registry: this.registry,
        });
        const stop = (): void => void stopGroup(proc, this.timings.stopGraceMs);
        signal.addEventListener('abort', stop, { once: true });
        const exit = await proc.exited;
        signal.removeEventListener('abort', stop);
        if (signal.aborted) throw new Cancelled('cancelled');
        if (exit.code !== 0) throw new Error(`build step '${step.name}' failed (${describeExit(exit)})`);
      }
      await this.images.commit(key, staging);
    } catch (error) {
      await this.images.discard(staging);
      throw error;
    }
  }

  private toolBuilds(tool: string): Map<string, BuildEntry> {
    let builds = this.byTool.get(tool);
    if (!builds) {
      builds = new Map();
      this.byTool.set(tool, builds);
    }
    return builds;
  }

  private update(entry: BuildEntry, patch: Partial<BuildRecord>): void {
    Object.assign(entry.record, patch);
    this.save(entry.tool);
  }

  private prune(tool: string): void {
    const builds = this.toolBuilds(tool);
    for (const [id, entry] of builds) {
      if (builds.size <= KEEP_BUILDS) break;
      if (!ACTIVE.has(entry.record.state)) builds.delete(id);
    }
  }

  private save(tool: string): void {
    writeJsonAtomic(
      this.paths.buildsFile(tool),
      [...this.toolBuilds(tool).values()].map((entry) => entry.record),
    );
  }

  private load(): void {
    const tools = existsSync(this.paths.stateRoot)
      ? readdirSync(this.paths.stateRoot, { withFileTypes: true }).filter((d) => d.isDirectory())
      : [];
    for (const dir of tools) {
      const records = readJsonFile<Mutable<BuildRecord>[]>(this.paths.buildsFile(dir.name), []);
      if (records.length === 0) continue;
      const builds = this.toolBuilds(dir.name);
      for (const record of records) {
        if (ACTIVE.has(record.state)) {
          record.state = 'failed';
          record.message = 'interrupted: the local runtime stopped while this build was running';
          record.finishedAt = new Date().toISOString();
        }
        builds.set(record.id, { tool: dir.name, record, controller: new AbortController() });
      }
      this.save(dir.name);
    }
  }
}
