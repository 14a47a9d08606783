/**
 * How an Executor is wired and tuned. Defaults follow builds-api's quota (a handful of concurrent builds per
 * tool) and upstream's time limits; tests shrink the times.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { Runtime } from '../runtimes/runtime.js';
import type { Deployment, DeploymentTask } from './deployment.js';

export interface ExecutorOptions {
  readonly store: Store;
  readonly runtime: Runtime;
  /** This replica's id in leases (default: host, pid and a random suffix). */
  readonly owner?: string;
  /** Builds running at once per deployment (default 4). */
  readonly buildConcurrency?: number;
  /** Job upserts/deletes in flight at once per deployment (default 8). */
  readonly deployConcurrency?: number;
  /** Deadline of every wait for a job to be healthy/registered (default 10 min). */
  readonly waitTimeoutMs?: number;
  /** How long a job must stay healthy before it counts as ready (default 2 s). */
  readonly stableForMs?: number;
  /**
   * How long a job with a health check the runtime cannot see (Toolforge: jobs-api reports no readiness) must
   * run without a restart before it counts as ready (default 30 s: jobs-api's liveness probe restarts a job
   * failing its check within 30 s; a startup probe may take up to 120 s, a longer window is safer still).
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
  /** Attempts of a runtime call failing with a retryable error before the task fails (default 5). */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter (default 500 ms). */
  readonly retryBaseMs?: number;
  /** Time limit of one runtime call (default 60 s). */
  readonly callTimeoutMs?: number;
  readonly now?: () => Date;
  /** Metrics hook: a task reached a final state, `durationMs` since it started (0 if it never started). */
  readonly onTaskFinished?: (task: DeploymentTask, durationMs: number) => void;
  /**
   * A deployment reached a final state (successful, failed, cancelled), called once, after it was stored.
   * Must not throw or block: deployment events are sent from here, and their delivery never fails a deployment.
   */
  readonly onDeploymentFinished?: (deployment: Deployment) => void;
}

type Hooks = 'onTaskFinished' | 'onDeploymentFinished';
export type ResolvedOptions = Required<Omit<ExecutorOptions, Hooks>> & Pick<ExecutorOptions, Hooks>;

export function resolveOptions(options: ExecutorOptions): ResolvedOptions {
  return {
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    buildConcurrency: 4,
    deployConcurrency: 8,
    waitTimeoutMs: 10 * 60_000,
    stableForMs: 2_000,
    unknownHealthStableForMs: 30_000,
    buildTimeoutMs: 30 * 60_000,
    buildQueueTimeoutMs: 30 * 60_000,
    leaseTtlMs: 30_000,
    tick: { minMs: 100, maxMs: 3_000 },
    maxAttempts: 5,
    retryBaseMs: 500,
    callTimeoutMs: 60_000,
    now: () => new Date(),
    ...stripUndefined(options),
    store: options.store,
    runtime: options.runtime,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
