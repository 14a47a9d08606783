/**
 * How an Executor is wired and tuned. Builds run as many at once as builds-api's quota allows (read from the
 * runtime); time limits are upstream's; tests shrink the times.
 */
import { availableParallelism, hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { Runtime } from '../runtimes/runtime.js';
import type { Deployment, DeploymentTask } from '../model/deployment.js';
import { systemClock, type Clock } from './clock.js';

export interface ExecutorOptions {
  readonly store: Store;
  readonly runtime: Runtime;
  /** This replica's id in leases (default: host, pid and a random suffix). */
  readonly owner?: string;
  /**
   * A cap on builds running at once per deployment, on top of the runtime's quota. Default: none when the
   * runtime reports a quota (builds-api: keep it full); otherwise the number of CPUs, because a runtime without
   * a quota (local) builds on this machine, where builds (npm ci, pip install) are CPU-bound.
   */
  readonly buildConcurrency?: number;
  /** Job upserts/deletes in flight at once per deployment (default 8). */
  readonly deployConcurrency?: number;
  /** Deadline of every wait for a job to be healthy/registered (default 10 min). */
  readonly waitTimeoutMs?: number;
  /**
   * How long a job without a health check must run without a restart before it counts as ready (default 2 s).
   * A job whose health check the runtime reports passing is ready at once.
   */
  readonly stableForMs?: number;
  /**
   * How long a job with a health check the runtime cannot see (Toolforge: jobs-api reports no readiness) must
   * run without a restart before it counts as ready (default 5 s: it catches the crashes that show in a job's
   * first seconds; a check that never passes shows only when the startup probe gives up after 120 s, which no
   * affordable window waits out. Measured: bench/unknown-health.bench.ts, see
   * docs/upstream-compat.md#health-on-toolforge).
   */
  readonly unknownHealthStableForMs?: number;
  /** A build still running after this long is cancelled and failed (default 30 min, upstream's). */
  readonly buildTimeoutMs?: number;
  /** How long a build waits for builds-api's quota to free a slot (default 30 min, upstream's). */
  readonly buildQueueTimeoutMs?: number;
  /** Lease time-to-live; renewed every ttl/3 (default 30 s). */
  readonly leaseTtlMs?: number;
  /** Polling tick: starts at `minMs`, backs off to `maxMs` while nothing changes (default 100 ms → 3 s). */
  readonly tick?: { readonly minMs: number; readonly maxMs: number };
  /** Attempts of a change (build start, upsert, restart, delete) failing with a retryable error before the task fails (default 5). */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter (default 500 ms). Also the guard's read retries. */
  readonly retryBaseMs?: number;
  /** Time limit of one runtime call, enforced by the guard (default 60 s). */
  readonly callTimeoutMs?: number;
  /** The clock of the worker loops (default: the system clock). `advance` takes its own. */
  readonly clock?: Clock;
  /** Metrics hook: a task reached a final state, `durationMs` since it started (0 if it never started). */
  readonly onTaskFinished?: (task: DeploymentTask, durationMs: number) => void;
  /**
   * A deployment reached a final state (successful, failed, cancelled), called once, after it was stored.
   * Must not throw or block: deployment events are sent from here, and their delivery never fails a deployment.
   */
  readonly onDeploymentFinished?: (deployment: Deployment) => void;
}

type Optional = 'onTaskFinished' | 'onDeploymentFinished' | 'buildConcurrency';
export type ResolvedOptions = Required<Omit<ExecutorOptions, Optional>> & Pick<ExecutorOptions, Optional>;

/** Builds at once on a runtime without a quota: one per CPU (see `buildConcurrency`). */
export const LOCAL_BUILD_CAP = Math.max(1, availableParallelism());

export function resolveOptions(options: ExecutorOptions): ResolvedOptions {
  return {
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    deployConcurrency: 8,
    waitTimeoutMs: 10 * 60_000,
    stableForMs: 2_000,
    unknownHealthStableForMs: 5_000,
    buildTimeoutMs: 30 * 60_000,
    buildQueueTimeoutMs: 30 * 60_000,
    leaseTtlMs: 30_000,
    tick: { minMs: 100, maxMs: 3_000 },
    maxAttempts: 5,
    retryBaseMs: 500,
    callTimeoutMs: 60_000,
    clock: systemClock,
    ...stripUndefined(options),
    store: options.store,
    runtime: options.runtime,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
