/**
 * The one layer that owns time limits and retries of runtime calls. Wrapped around a runtime whose own client
 * makes single attempts (the Toolforge HTTP client with `retries: 0`), so a call is never retried by two
 * layers at once (there used to be up to 5 × 5 attempts per call).
 *
 * - Every call gets a time limit, per kind of call (`callTimeoutsMs`): a call that does not answer in time
 *   fails with a retryable `unavailable` error, and its signal is aborted so the client stops waiting too.
 * - Reads (`observe`, `resolveRef`, `buildQuota`, `buildLogs`) are retried here on retryable errors, with
 *   exponential backoff and jitter: repeating a read is always safe.
 * - Calls that change things are made once. Whether to try again is the executor's decision, because it must
 *   first look whether the earlier attempt took effect (a lost answer): see `execute/task-deploy.ts` and
 *   `execute/task-build.ts`. Their retries use the same `backoffMs`.
 * - Anything a runtime throws that is not a `RuntimeError` (a bug, a decoder surprise) becomes an
 *   `unavailable` error carrying its message, so callers switch on one error type.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  RuntimeError,
  type BuildQuota,
  type CallOptions,
  type JobChange,
  type ObserveOptions,
  type QuotaReadOptions,
  type Runtime,
  type RuntimeSnapshot,
  type StartedBuild,
} from './runtime.js';
import type { BuildRequest } from '../model/build-request.js';
import type { JobSpec } from '../model/job-spec.js';
import type { RefResolution } from '../model/observed-state.js';

/** The runtime calls, as kinds for time limits. */
export type CallKind =
  | 'observe'
  | 'resolveRef'
  | 'buildQuota'
  | 'buildLogs'
  | 'startBuild'
  | 'cancelBuild'
  | 'upsertJob'
  | 'restartJob'
  | 'runOnce'
  | 'deleteJob';

export interface GuardOptions {
  /** Time limit of one call (default 60 s). */
  readonly callTimeoutMs?: number;
  /**
   * Per kind, over `callTimeoutMs`. Default: a quota read gets 10 s, because a slot estimate that comes late is
   * worth less than builds-api's own 409, which the executor takes as back-pressure anyway.
   */
  readonly callTimeoutsMs?: Readonly<Partial<Record<CallKind, number>>>;
  /** Attempts of a read before its error is passed on (default 3). */
  readonly readAttempts?: number;
  /** First retry delay of a read; doubles per attempt, with jitter (default 250 ms). */
  readonly retryBaseMs?: number;
}

/** Delay before retry number `attempt` (1-based): uniform in [base·2^(n-1)/2, base·2^(n-1)], capped at `maxMs`. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs = 60_000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class GuardedRuntime implements Runtime {
  readonly inner: Runtime;
  readonly #timeoutMs: number;
  readonly #timeouts: Readonly<Partial<Record<CallKind, number>>>;
  readonly #readAttempts: number;
  readonly #retryBaseMs: number;

  constructor(inner: Runtime, options: GuardOptions = {}) {
    this.inner = inner;
    this.#timeoutMs = options.callTimeoutMs ?? 60_000;
    this.#timeouts = { buildQuota: Math.min(10_000, this.#timeoutMs), ...options.callTimeoutsMs };
    this.#readAttempts = Math.max(1, options.readAttempts ?? 3);
    this.#retryBaseMs = options.retryBaseMs ?? 250;
  }

  /** A runtime guarded once: an already guarded one is returned as it is. */
  static of(runtime: Runtime, options?: GuardOptions): GuardedRuntime {
    return runtime instanceof GuardedRuntime ? runtime : new GuardedRuntime(runtime, options);
  }

  get name(): Runtime['name'] {
    return this.inner.name;
  }

  get reports(): Runtime['reports'] {
    return this.inner.reports;
  }

  observe(tool: string, options?: ObserveOptions): Promise<RuntimeSnapshot> {
    return this.#read('observe', options, (signal) => this.inner.observe(tool, { ...options, signal }));
  }

  resolveRef(
    tool: string,
    repository: string,
    ref: string | undefined,
    options?: CallOptions,
  ): Promise<RefResolution> {
    return this.#read('resolveRef', options, (signal) =>
      this.inner.resolveRef(tool, repository, ref, { signal }),
    );
  }

  /** Present only when the inner runtime has a quota (the executor then uses its own cap). */
  get buildQuota(): ((tool: string, options?: QuotaReadOptions) => Promise<BuildQuota>) | undefined {
    const inner = this.inner;
    if (!inner.buildQuota) return undefined;
    return (tool, options) =>
      this.#read('buildQuota', options, (signal) =>
        (inner.buildQuota as NonNullable<Runtime['buildQuota']>).call(inner, tool, {
          signal,
          usedMaxAgeMs: options?.usedMaxAgeMs,
        }),
      );
  }

  get buildLogs(): ((tool: string, buildId: string, options?: CallOptions) => Promise<string[]>) | undefined {
    const inner = this.inner;
    if (!inner.buildLogs) return undefined;
    return (tool, buildId, options) =>
      this.#read('buildLogs', options, (signal) =>
        (inner.buildLogs as NonNullable<Runtime['buildLogs']>).call(inner, tool, buildId, { signal }),
      );
  }

  get jobLogs(): Runtime['jobLogs'] {
    return this.inner.jobLogs?.bind(this.inner);
  }

  startBuild(tool: string, request: BuildRequest, options?: CallOptions): Promise<StartedBuild> {
    return this.#once('startBuild', options, (signal) => this.inner.startBuild(tool, request, { signal }));
  }

  cancelBuild(tool: string, buildId: string, options?: CallOptions): Promise<void> {
    return this.#once('cancelBuild', options, (signal) => this.inner.cancelBuild(tool, buildId, { signal }));
  }

  upsertJob(tool: string, spec: JobSpec, options?: CallOptions): Promise<JobChange> {
    return this.#once('upsertJob', options, (signal) => this.inner.upsertJob(tool, spec, { signal }));
  }

  restartJob(tool: string, name: string, options?: CallOptions): Promise<void> {
    return this.#once('restartJob', options, (signal) => this.inner.restartJob(tool, name, { signal }));
  }

  runOnce(tool: string, spec: JobSpec, options?: CallOptions): Promise<void> {
    return this.#once('runOnce', options, (signal) => this.inner.runOnce(tool, spec, { signal }));
  }

  deleteJob(tool: string, name: string, options?: CallOptions): Promise<void> {
    return this.#once('deleteJob', options, (signal) => this.inner.deleteJob(tool, name, { signal }));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async #read<T>(
    kind: CallKind,
    options: CallOptions | undefined,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once(kind, options, call);
      } catch (error) {
        const retry = error instanceof RuntimeError && error.retryable && attempt < this.#readAttempts;
        if (!retry || options?.signal?.aborted) throw error;
        const ms = backoffMs(attempt, this.#retryBaseMs, 10_000);
        await sleep(ms, undefined, options?.signal ? { signal: options.signal } : undefined);
      }
    }
  }

  /** One attempt with the time limit; the caller's abort passes through untouched. */
  async #once<T>(
    kind: CallKind,
    options: CallOptions | undefined,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const ms = this.#timeouts[kind] ?? this.#timeoutMs;
    const limit = new AbortController();
    const signal = options?.signal ? AbortSignal.any([options.signal, limit.signal]) : limit.signal;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new RuntimeError(
          'unavailable',
          `no answer within ${ms < 1000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`}`,
        );
        limit.abort(error);
        reject(error);
      }, ms);
      timer.unref();
    });
    try {
      return await Promise.race([call(signal), timedOut]);
    } catch (error) {
      if (options?.signal?.aborted) throw error;
      if (error instanceof RuntimeError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new RuntimeError('unavailable', message, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
