/**
 * The Toolforge runtime: a client of builds-api (`/builds/v1/tool/{tool}/builds…`) and jobs-api
 * (`/jobs/v1/tool/{tool}/jobs…`) behind the API gateway, speaking the wire contract of `wire/`.
 *
 * One attempt per call: retries belong to `runtimes/guarded-runtime.ts` (see `toolforge-http.ts`).
 *
 * Starting a build is the one call that is not safe to repeat. After an ambiguous failure (timeout, 5xx,
 * connection lost after sending) we list the tool's builds once and adopt one with the same parameters (image
 * name, repository, ref, flags) that started no earlier than a minute before our attempt (or is still queued,
 * with no start time yet). When there is none, or the list fails, the start's own error is thrown: it is never
 * repeated here, and the executor looks again before it starts another (never two builds by guessing).
 *
 * `buildQuota` reads builds-api's quota, kept fresh by the builds lists `observe` fetches anyway
 * (`build-quota.ts`), so it costs about one call a minute, not one per executor step.
 */
import type {
  BuildQuota,
  CallOptions,
  JobChange,
  JobReporting,
  ObserveOptions,
  QuotaReadOptions,
  Runtime,
  RuntimeSnapshot,
  SnapshotPart,
  SnapshotParts,
  StartedBuild,
} from '../runtime.js';
import type { BuildRequest } from '../../model/build-request.js';
import type { JobSpec } from '../../model/job-spec.js';
import { RuntimeError, SNAPSHOT_PARTS } from '../runtime.js';
import type { RefResolution } from '../../model/observed-state.js';
import { resolveRef } from '../git.js';
import { decodeBuild, decodeJob } from './toolforge-decode.js';
import { buildStartBody, jobUpsertBody } from './toolforge-encode.js';
import type { BuildStartBody } from './toolforge-encode.js';
import { HttpFailure, ToolforgeHttp } from './toolforge-http.js';
import { BuildQuotaCache, activeBuilds, decodeBuildQuota, type QuotaCacheOptions } from './build-quota.js';
import { BuildLog, ErrorBody, StartResponse } from './wire/builds-api.js';
import { UpdateResponse } from './wire/jobs-api.js';
import { WireReader } from './wire/schema.js';
import type { HttpOptions, HttpResult } from './toolforge-http.js';
import { isObject } from '../../support/is-object.js';

export type { ToolforgeAuth } from './toolforge-http.js';

export interface ToolforgeRuntimeOptions extends HttpOptions {
  /** How far back a build may have started to count as "ours" after an ambiguous start (default 60 000). */
  readonly startRecoveryWindowMs?: number;
  /** How long the build quota's limit and count are trusted before builds-api is asked again. */
  readonly quotaCache?: QuotaCacheOptions;
}

function list(json: unknown, key: string): unknown[] {
  return isObject(json) && Array.isArray(json[key]) ? json[key] : [];
}

const enc = encodeURIComponent;

/** Start time in ms; a build not started yet counts as the newest. */
function startedMs(build: { readonly startedAt?: string }): number {
  return build.startedAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(build.startedAt);
}

export class ToolforgeRuntime implements Runtime {
  readonly name = 'toolforge' as const;
  /** jobs-api: no health check results, but `status.duration` (see docs/upstream-compat.md#the-wire-builds-api-and-jobs-api). */
  readonly reports: JobReporting = { health: false, uptimeResolutionMs: 1_000 };
  private readonly http: ToolforgeHttp;
  private readonly options: ToolforgeRuntimeOptions;
  private readonly quota: BuildQuotaCache;

  constructor(options: ToolforgeRuntimeOptions) {
    this.options = options;
    this.http = new ToolforgeHttp(options);
    this.quota = new BuildQuotaCache(options.quotaCache);
  }

  /** HTTP calls made so far per API (every attempt counts), for benchmarks. */
  stats(): { builds: number; jobs: number } {
    return this.http.stats();
  }

  resetStats(): void {
    this.http.resetStats();
  }

  async observe(tool: string, options: ObserveOptions = {}): Promise<RuntimeSnapshot> {
    const parts = options.parts ?? SNAPSHOT_PARTS;
    const fetched: SnapshotParts = { builds: parts.includes('builds'), jobs: parts.includes('jobs') };
    const sentAt = this.quota.now();
    // When one of the two calls fails, stop the other instead of leaving it running.
    const both = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, both.signal]) : both.signal;
    const get = async (api: SnapshotPart): Promise<unknown[]> => {
      if (!fetched[api]) return [];
      const result = await this.http
        .call({ api, method: 'GET', path: `/tool/${enc(tool)}/${api}`, tool, signal })
        .catch((error: unknown) => {
          both.abort(error);
          throw error;
        });
      return list(result.json, api);
    };
    const [builds, jobs] = await Promise.allSettled([get('builds'), get('jobs')]);
    if (builds.status === 'rejected') throw builds.reason;
    if (jobs.status === 'rejected') throw jobs.reason;
    const decoded = builds.value.map(decodeBuild);
    if (fetched.builds) this.quota.listed(tool, activeBuilds(decoded), sentAt);
    return {
      builds: decoded,
      jobs: jobs.value.map(decodeJob),
      // Absent means both: only a partial snapshot says so.
      ...(fetched.builds && fetched.jobs ? {} : { fetched }),
    };
  }

  resolveRef(
    _tool: string,
    repository: string,
    ref: string | undefined,
    options: CallOptions = {},
  ): Promise<RefResolution> {
    return resolveRef(repository, ref, { signal: options.signal, timeoutMs: this.options.timeoutMs });
  }

  async startBuild(tool: string, request: BuildRequest, options: CallOptions = {}): Promise<StartedBuild> {
    const body = buildStartBody(request);
    const attemptMs = Date.now();
    let result: HttpResult;
    try {
      result = await this.http.call({
        api: 'builds',
        method: 'POST',
        path: `/tool/${enc(tool)}/builds`,
        tool,
        body,
        signal: options.signal,
        conflictKind: 'quota',
      });
    } catch (error) {
      if (error instanceof RuntimeError && error.kind === 'quota') this.quota.full(tool);
      if (!(error instanceof HttpFailure && error.ambiguous) || options.signal?.aborted) throw error;
      // The start may have taken effect although no answer said so: adopt that build rather than start two.
      const found = await this.findStartedBuild(tool, body, attemptMs, options.signal).catch(() => undefined);
      if (found === undefined) throw error;
      result = found;
    }
    this.quota.started(tool);
    const started = new WireReader(StartResponse, result.json);
    const id = started.string('new_build', 'name');
    if (id === undefined || id === '') {
      throw new RuntimeError(
        'unavailable',
        `builds-api answered without a build name: ${result.text.slice(0, 200)}`,
      );
    }
    const commit = started.string('new_build', 'resolved_ref');
    return { id, resolvedCommit: commit !== undefined && commit !== '' ? commit : undefined };
  }

  /**
   * How many builds the tool may run at once, and how many run now. Read from builds-api only when the cached
   * answer is stale; a builds-api that reports no build limit, or whose quota cannot be read, gives no limit
   * (`limit: undefined`): its 409 then governs, which the executor treats as back-pressure.
   */
  async buildQuota(tool: string, options: QuotaReadOptions = {}): Promise<BuildQuota> {
    const cached = this.quota.fresh(tool, options.usedMaxAgeMs);
    if (cached) return cached;
    const at = this.quota.now();
    try {
      const result = await this.http.call({
        api: 'builds',
        method: 'GET',
        path: `/tool/${enc(tool)}/quotas`,
        tool,
        signal: options.signal,
      });
      this.quota.read(tool, decodeBuildQuota(result.json), at);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      // builds-api answers 500 for a tool that never built (no registry project yet): not worth a retry.
      // Keep what is known (an earlier limit, or none) for as long as a reading is trusted: steps do not ask again.
      this.quota.unreadable(tool, at);
    }
    return this.quota.current(tool) ?? { used: 0 };
  }

  /** The build an ambiguous start may have created, as a synthetic start response; undefined if none. */
  private async findStartedBuild(
    tool: string,
    body: BuildStartBody,
    attemptMs: number,
    signal?: AbortSignal,
  ): Promise<HttpResult | undefined> {
    const since = attemptMs - (this.options.startRecoveryWindowMs ?? 60_000);
    const listed = await this.http.call({
      api: 'builds',
      method: 'GET',
      path: `/tool/${enc(tool)}/builds`,
      tool,
      signal,
    });
    const match = list(listed.json, 'builds')
      .map(decodeBuild)
      .filter(
        (b) =>
          b.imageName === body.image_name &&
          b.repository === body.source_url &&
          (b.ref ?? '') === (body.ref ?? '') &&
          b.useLatestVersions === body.use_latest_versions &&
          b.useDeprecatedVersions === body.use_deprecated_versions &&
          // A build still queued has no start time yet (builds-api sends ""): it is as recent as it gets.
          (b.startedAt === undefined ? b.state === 'pending' : Date.parse(b.startedAt) >= since),
      )
      .sort((a, b) => startedMs(b) - startedMs(a))[0];
    if (!match) return undefined;
    const json = { new_build: { name: match.id, resolved_ref: match.resolvedCommit ?? '' } };
    return { status: 200, text: JSON.stringify(json), json };
  }

  async cancelBuild(tool: string, buildId: string, options: CallOptions = {}): Promise<void> {
    try {
      await this.http.call({
        api: 'builds',
        method: 'PUT',
        path: `/tool/${enc(tool)}/builds/${enc(buildId)}/cancel`,
        tool,
        signal: options.signal,
      });
    } catch (error) {
      // 409: the build already ended, so there is nothing left to cancel.
      if (error instanceof RuntimeError && error.kind === 'conflict') return;
      throw error;
    }
  }

  async buildLogs(tool: string, buildId: string, options: CallOptions = {}): Promise<string[]> {
    const result = await this.http.call({
      api: 'builds',
      method: 'GET',
      path: `/tool/${enc(tool)}/builds/${enc(buildId)}/logs`,
      tool,
      signal: options.signal,
    });
    // Newline-separated `BuildLog` objects (`{"line": …}`); anything else is kept as text.
    return result.text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          const parsed = JSON.parse(line) as unknown;
          const text = new WireReader(BuildLog, parsed).string('line');
          if (text !== undefined) return text;
          // An error after streaming began: builds-api can only send it as one more line.
          const error = new WireReader(ErrorBody, parsed).strings('error');
          if (error.length > 0) return `ERROR: ${error.join(', ')}`;
        } catch {
          // not JSON: keep the raw line
        }
        return line;
      });
  }

  async upsertJob(tool: string, spec: JobSpec, options: CallOptions = {}): Promise<JobChange> {
    const result = await this.http.call({
      api: 'jobs',
      method: 'PATCH',
      path: `/tool/${enc(tool)}/jobs`,
      tool,
      body: jobUpsertBody(spec),
      signal: options.signal,
    });
    const answer = new WireReader(UpdateResponse, result.json);
    return {
      changed: answer.boolean('job_changed') === true,
      messages: {
        info: answer.strings('messages', 'info'),
        warning: answer.strings('messages', 'warning'),
        error: answer.strings('messages', 'error'),
      },
    };
  }

  /**
   * A new run of a one-off job: delete the job (a finished one-off job stays listed with its last status), then
   * create it. Not a PATCH: jobs-api compares the spec and answers `job_changed: false` without running an
   * unchanged one-off job again, which is exactly the re-run `--force-run` or a failed last run asks for.
   * Delete is idempotent (a missing job is fine); a create that finds the job (409: an earlier attempt's create
   * whose answer was lost raced this one) is not retried: the executor looks at the job before trying again.
   */
  async runOnce(tool: string, spec: JobSpec, options: CallOptions = {}): Promise<void> {
    await this.deleteJob(tool, spec.name, options);
    await this.http.call({
      api: 'jobs',
      method: 'POST',
      path: `/tool/${enc(tool)}/jobs`,
      tool,
      body: jobUpsertBody(spec),
      signal: options.signal,
    });
  }

  async restartJob(tool: string, name: string, options: CallOptions = {}): Promise<void> {
    // A second restart after an ambiguous failure only restarts again: harmless, so retried like the rest.
    await this.http.call({
      api: 'jobs',
      method: 'POST',
      path: `/tool/${enc(tool)}/jobs/${enc(name)}/restart`,
      tool,
      signal: options.signal,
    });
  }

  async deleteJob(tool: string, name: string, options: CallOptions = {}): Promise<void> {
    try {
      await this.http.call({
        api: 'jobs',
        method: 'DELETE',
        path: `/tool/${enc(tool)}/jobs/${enc(name)}`,
        tool,
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof RuntimeError && error.kind === 'not-found') return;
      throw error;
    }
  }

  /**
   * The job's logs as jobs-api serves them. jobs-api's logs route has no follow parameter, so `follow`
   * cannot be honoured: the lines available now are returned and the iteration ends.
   */
  async *jobLogs(
    tool: string,
    name: string,
    options: CallOptions & { readonly follow?: boolean } = {},
  ): AsyncIterable<string> {
    const result = await this.http.call({
      api: 'jobs',
      method: 'GET',
      path: `/tool/${enc(tool)}/jobs/${enc(name)}/logs`,
      tool,
      signal: options.signal,
    });
    for (const line of result.text.split('\n')) if (line !== '') yield line;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
