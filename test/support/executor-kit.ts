/**
 * Test and bench support for the executor: compact tool descriptions turned into a config, a plan with its task
 * DAG (the shape the plan core produces: `build:X → deploy:X`, reuse edges, wait-for edges with their
 * condition), stored deployments, and waiting for a deployment to end. Not used by production code.
 */
import { randomBytes } from 'node:crypto';
import type { Component, ToolConfig } from '../../src/model/tool-config.js';
import type { Plan, PlanOptions } from '../../src/model/plan.js';
import type { ObservedState } from '../../src/model/observed-state.js';
import type { Clock } from '../../src/execute/clock.js';
import type { StepOutcome } from '../../src/execute/deployment-run.js';
import { planDeployment } from '../../src/plan/plan-builder.js';
import { emptyObservedState } from '../../src/model/observed-state.js';
import type { Store } from '../../src/store/store.js';
import { FINAL_DEPLOYMENT_STATES, type Deployment, type DeploymentTask } from '../../src/model/deployment.js';
import { tasksFromPlan } from '../../src/execute/tasks-from-plan.js';
import { FakeRuntime, type FakeRuntimeOptions } from '../../src/runtimes/fake/fake-runtime.js';

export interface ComponentSpec {
  readonly name: string;
  readonly type?: 'continuous' | 'scheduled';
  /** Re-use this component's image instead of building. */
  readonly reuse?: string;
  readonly waitFor?: readonly string[];
  /** Continuous only: add an HTTP health check (default true). */
  readonly health?: boolean;
  readonly replicas?: number;
  readonly repository?: string;
}

export function configFor(specs: readonly ComponentSpec[]): ToolConfig {
  const components = specs.map((s): Component => {
    const build = s.reuse
      ? ({ kind: 'reuse', reuseFrom: s.reuse } as const)
      : ({
          kind: 'source',
          repository: s.repository ?? `https://gitlab.wikimedia.org/toolforge-repos/${s.name}`,
          useLatestVersions: false,
          useDeprecatedVersions: false,
        } as const);
    const base = { name: s.name, build, waitFor: s.waitFor ?? [] };
    if (s.type === 'scheduled')
      return { ...base, type: 'scheduled', run: { command: `run-${s.name}`, schedule: '*/5 * * * *' } };
    return {
      ...base,
      type: 'continuous',
      run: {
        command: `serve-${s.name}`,
        port: 8000,
        ...(s.health === false ? {} : { healthCheck: { type: 'http', path: '/healthz' } as const }),
        ...(s.replicas !== undefined ? { replicas: s.replicas } : {}),
      },
    };
  });
  return { dialect: 'seed', components };
}

/** The plan the plan core makes for a new tool: every source component built, every job created. */
export function planFor(tool: string, config: ToolConfig): Plan {
  return planDeployment(config, emptyObservedState(tool), {
    forceBuild: false,
    forceRun: false,
    prune: false,
  });
}

/** The seed's example: two builds, the api first, cleanup and flower waiting for it. */
export const TOOLHUNT: readonly ComponentSpec[] = [
  { name: 'toolhunt-cleanup', type: 'scheduled', waitFor: ['toolhunt-api'] },
  { name: 'toolhunt-api' },
  { name: 'toolhunt-flower', reuse: 'toolhunt-api', waitFor: ['toolhunt-api'], health: false },
];

export function newDeploymentId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('');
  return `${stamp}-${suffix}`;
}

export interface StoreDeploymentOptions {
  readonly forceRun?: boolean;
  /** Plan against this state (default: an empty tool). */
  readonly observed?: ObservedState;
  readonly planOptions?: Partial<PlanOptions>;
  /** Change the plan before it is stored. */
  readonly plan?: (plan: Plan) => Plan;
  /** Creation time (default now): a test on a manual clock passes the clock's time. */
  readonly createdAt?: number;
  /** The deployment's own wait timeout (`deploy --timeout`). */
  readonly waitTimeoutMs?: number;
}

/** Stores a pending deployment of `specs`, planned by the plan core (against `observed`), and returns it. */
export async function storeDeployment(
  store: Store,
  tool: string,
  specs: readonly ComponentSpec[],
  options: StoreDeploymentOptions = {},
): Promise<Deployment> {
  const config = configFor(specs);
  const planOptions: PlanOptions = {
    forceBuild: false,
    forceRun: options.forceRun ?? false,
    prune: false,
    ...options.planOptions,
  };
  const basePlan = planDeployment(config, options.observed ?? emptyObservedState(tool), planOptions);
  const plan = options.plan ? options.plan(basePlan) : basePlan;
  return storePlan(store, tool, config, plan, {
    createdAt: options.createdAt ?? Date.now(),
    planOptions,
    ...(options.waitTimeoutMs !== undefined ? { waitTimeoutMs: options.waitTimeoutMs } : {}),
  });
}

/** Stores a pending deployment of `plan` (of `config`, planned with `planOptions`, default none forced). */
export async function storePlan(
  store: Store,
  tool: string,
  config: ToolConfig,
  plan: Plan,
  options: {
    readonly createdAt: number;
    readonly planOptions?: PlanOptions;
    readonly waitTimeoutMs?: number;
  },
): Promise<Deployment> {
  const flags = options.planOptions ?? { forceBuild: false, forceRun: false, prune: false };
  const id = newDeploymentId(new Date(options.createdAt));
  const deployment: Deployment = {
    id,
    tool,
    createdAt: new Date(options.createdAt).toISOString(),
    description: '',
    forceBuild: flags.forceBuild,
    forceRun: flags.forceRun,
    prune: flags.prune,
    state: 'pending',
    ...(options.waitTimeoutMs !== undefined ? { waitTimeoutMs: options.waitTimeoutMs } : {}),
    toolConfig: {},
    config,
    plan,
  };
  await store.createDeployment(deployment, tasksFromPlan(id, plan));
  return deployment;
}

/** A clock a test moves by hand: the executor and the fake runtime read it, nothing sleeps. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = Date.parse('2026-06-01T00:00:00.000Z')) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  /** Moves to `at` (never backwards). */
  set(at: number): void {
    this.#now = Math.max(this.#now, Math.ceil(at));
  }
  advance(ms: number): void {
    this.#now += Math.round(ms);
  }
}

/**
 * Drives a deployment with `executor.advance` on a manual clock until it is final, with no real-time sleep:
 * after each step the calls it started are awaited; time moves only when a step changed nothing, to the
 * moment the step said something is due (or by `idleMs`). `stopWhen` ends the drive early (before the
 * deployment is final), e.g. to kill the executor mid-way. Returns the deployment as stored then.
 */
export async function driveWithClock(
  executor: {
    advance(id: string, clock: Clock): Promise<StepOutcome | undefined>;
    settled(id: string): Promise<void>;
  },
  store: Store,
  deployment: Pick<Deployment, 'id' | 'tool'>,
  clock: ManualClock,
  options: { idleMs?: number; maxSteps?: number; stopWhen?: (tasks: DeploymentTask[]) => boolean } = {},
): Promise<Deployment> {
  const { idleMs = 100, maxSteps = 20_000 } = options;
  for (let i = 0; i < maxSteps; i++) {
    const outcome = await executor.advance(deployment.id, clock);
    await executor.settled(deployment.id);
    const current = await store.getDeployment(deployment.tool, deployment.id);
    if (!current) throw new Error(`deployment ${deployment.id} is gone`);
    if (outcome?.finished || FINAL_DEPLOYMENT_STATES.includes(current.state)) return current;
    if (options.stopWhen?.(await store.listTasks(deployment.id))) return current;
    if (outcome?.changed) continue;
    const due = outcome?.dueAt;
    clock.set(due !== undefined && due > clock.now() ? due : clock.now() + idleMs);
  }
  throw new Error(
    `deployment ${deployment.id} not final after ${maxSteps} steps:\n${taskTable(await store.listTasks(deployment.id))}`,
  );
}

/** Polls the store until the deployment is final; fails with the task table after `timeoutMs`. */
export async function waitUntilFinal(
  store: Store,
  tool: string,
  id: string,
  timeoutMs = 10_000,
): Promise<Deployment> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await store.getDeployment(tool, id);
    if (d && FINAL_DEPLOYMENT_STATES.includes(d.state)) return d;
    if (Date.now() > deadline) {
      const tasks = await store.listTasks(id);
      throw new Error(`deployment ${id} still ${d?.state} after ${timeoutMs} ms:\n${taskTable(tasks)}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Polls until `predicate` holds for the tasks. */
export async function waitForTasks(
  store: Store,
  id: string,
  predicate: (tasks: DeploymentTask[]) => boolean,
  timeoutMs = 10_000,
): Promise<DeploymentTask[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = await store.listTasks(id);
    if (predicate(tasks)) return tasks;
    if (Date.now() > deadline)
      throw new Error(`condition not reached after ${timeoutMs} ms:\n${taskTable(tasks)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function taskTable(tasks: readonly DeploymentTask[]): string {
  return tasks.map((t) => `  ${t.id.padEnd(28)} ${t.state.padEnd(10)} ${t.reason ?? ''}`).join('\n');
}

/** A task's timestamp in ms (NaN when it is not set, so that any comparison with it fails). */
export const ms = (iso: string | undefined): number => Date.parse(iso ?? '');

export function byId(tasks: readonly DeploymentTask[]): Map<string, DeploymentTask> {
  return new Map(tasks.map((t) => [t.id, t]));
}

/** A manual clock and a fake runtime that tells time by it: the rig of every executor test on virtual time. */
export function fakeOnManualClock(fake: FakeRuntimeOptions = {}): {
  clock: ManualClock;
  runtime: FakeRuntime;
} {
  const clock = new ManualClock();
  return { clock, runtime: new FakeRuntime({ ...fake, now: () => clock.now() }) };
}
