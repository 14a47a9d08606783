/**
 * The executor bench's arithmetic: the generated tools, the true lower bound of a deployment's makespan and
 * upstream components-api's strategy in virtual time. Pure: no I/O, no clock.
 */
import type { ToolConfig } from '../src/model/tool-config.js';
import type { Plan, PlanTask } from '../src/model/plan.js';
import type { ComponentSpec } from '../test/support/executor-kit.js';
import { mulberry32 } from '../src/support/seeded-random.js';

/** The environment, in real seconds: what Toolforge takes, whoever deploys. */
export interface Environment {
  readonly buildMin: number;
  readonly buildMax: number;
  /** Every HTTP request to builds-api / jobs-api. */
  readonly request: number;
  /** From an upsert (or restart) until the job's container runs. */
  readonly jobStart: number;
  /** From running until its health check passes (the app's own start-up). */
  readonly jobHealthy: number;
  /** Concurrent builds builds-api accepts per tool (its 409 beyond). */
  readonly buildQuota: number;
}

/** Upstream components-api's own constants (its shipped defaults). */
export const UPSTREAM = { poll: 2, quotaRetry: 10 } as const;

export const TOOLFORGE: Environment = {
  buildMin: 30,
  buildMax: 60,
  request: 0.3,
  jobStart: 8,
  jobHealthy: 6,
  buildQuota: 8,
};

/**
 * A generated tool: one component in `reusePer` builds from its own repository, the others re-use one of those
 * images (one repository, many processes, like toolhunt-flower); a tenth are scheduled. With `waitFor`, each
 * component waits for up to that many earlier continuous components (a random DAG).
 */
export function generated(n: number, seed: number, waitFor: number, reusePer = 3): ComponentSpec[] {
  const random = mulberry32(seed);
  const specs: ComponentSpec[] = [];
  const sources: string[] = [];
  const continuous: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `c${String(i).padStart(3, '0')}`;
    const scheduled = i % 10 === 9;
    const reuse =
      i % reusePer !== 0 && sources.length > 0 ? sources[Math.floor(random() * sources.length)] : undefined;
    const waits = new Set<string>();
    for (let k = 0; k < waitFor && continuous.length > 0; k++) {
      // Any earlier continuous component: chains form, their depth grows like log n.
      if (random() < 0.6) waits.add(continuous[Math.floor(random() * continuous.length)] as string);
    }
    specs.push({
      name,
      ...(scheduled ? { type: 'scheduled' as const } : { health: random() < 0.5 }),
      ...(reuse !== undefined ? { reuse } : {}),
      waitFor: [...waits],
    });
    if (reuse === undefined) sources.push(name);
    if (!scheduled) continuous.push(name);
  }
  return specs;
}

/** Seeded build durations (real seconds, to 0.1 s) of the components that build from source. */
export function buildSeconds(
  specs: readonly ComponentSpec[],
  seed: number,
  env: Environment,
): Record<string, number> {
  const random = mulberry32(seed);
  const out: Record<string, number> = {};
  for (const c of specs) {
    const d = env.buildMin + random() * (env.buildMax - env.buildMin);
    if (!c.reuse) out[c.name] = Math.round(d * 10) / 10;
  }
  return out;
}

/**
 * What a task costs at the least (real seconds): a started build its request and duration; a job change its
 * upsert (and restart) request, then, for a continuous job, until it runs and (with a health check) passes it.
 * No stability window, no polling delay: nothing of ours.
 */
function taskCost(
  task: PlanTask,
  config: ToolConfig,
  buildS: Record<string, number>,
  env: Environment,
): number {
  const op = task.operation;
  if (op.kind === 'start-build') return env.request + (buildS[task.component] ?? env.buildMax);
  if (op.kind === 'follow-build') return 0;
  if (op.kind === 'delete-job') return env.request;
  const component = config.components.find((c) => c.name === task.component);
  const requests = op.kind === 'upsert-job' && op.restart !== undefined ? 2 : 1;
  if (component?.type !== 'continuous') return requests * env.request;
  return requests * env.request + env.jobStart + (component.run.healthCheck ? env.jobHealthy : 0);
}

/**
 * The true lower bound of any executor's makespan for `plan`: the longest path through its task DAG at the
 * tasks' least costs, and the quota's pigeonhole bound (with m slots, k+1 of the k·m+1 longest builds share a
 * slot, one after the other, and a job still has to start after the last). Not a schedule of ours: no stability
 * windows, no config order.
 */
export function lowerBound(
  config: ToolConfig,
  plan: Plan,
  buildS: Record<string, number>,
  env: Environment,
): number {
  const finish = new Map<string, number>();
  for (const task of plan.tasks) {
    const start = Math.max(0, ...task.dependsOn.map((d) => finish.get(d.task) ?? 0));
    finish.set(task.id, start + taskCost(task, config, buildS, env));
  }
  const path = Math.max(0, ...finish.values());
  const builds = plan.tasks
    .filter((t) => t.operation.kind === 'start-build')
    .map((t) => taskCost(t, config, buildS, env))
    .sort((x, y) => y - x);
  const after = plan.tasks.filter((t) => t.kind === 'deploy').map((t) => taskCost(t, config, buildS, env));
  const m = env.buildQuota;
  let quota = 0;
  for (let k = 1; k * m + 1 <= builds.length; k++) {
    const shared = builds.slice(0, k * m + 1).slice(-(k + 1));
    quota = Math.max(quota, shared.reduce((x, y) => x + y, 0) + Math.min(...after));
  }
  return Math.max(path, quota);
}

export interface Modelled {
  readonly makespanS: number;
  readonly builds: number;
  readonly jobs: number;
}

export interface Redeploy {
  /** Source components whose repository moved (rebuilt); undefined = a fresh tool, everything built. */
  readonly rebuilt?: ReadonlySet<string>;
}

/**
 * Upstream's deploy task (docs/upstream-compat.md#deployments) in virtual time (real seconds). A request is
 * handled `request` s after it is sent and answers then. On a redeploy each source component's newest build
 * is looked up first (one builds-api call each; `git ls-remote` not counted, in upstream's favour). Builds are
 * started one at a time in config order; a 409 (quota full) sleeps 10 s and retries that build. Then every
 * unfinished build gets its own GET, one after the other, then a 2 s sleep, until all are done. Then every job
 * is upserted, one by one in config order; one the upsert left unchanged whose image was rebuilt is restarted.
 * Its end: the last job running and healthy (it never waits for health; counting to health is in its favour).
 */
export function upstreamModel(
  config: ToolConfig,
  buildS: Record<string, number>,
  env: Environment,
  redeploy: Redeploy = {},
): Modelled {
  let t = 0;
  const calls = { builds: 0, jobs: 0 };
  const started: { name: string; end: number }[] = [];
  const rebuilt = (name: string): boolean => redeploy.rebuilt?.has(name) ?? true;
  for (const c of config.components) {
    if (c.build.kind !== 'source') continue;
    if (redeploy.rebuilt !== undefined) {
      calls.builds += 1;
      t += env.request;
    }
    if (!rebuilt(c.name)) continue;
    for (;;) {
      calls.builds += 1;
      t += env.request;
      const active = started.filter((b) => b.end > t).length;
      if (active < env.buildQuota) break;
      t += UPSTREAM.quotaRetry;
    }
    started.push({ name: c.name, end: t + (buildS[c.name] ?? 0) });
  }
  const pending = new Set(started);
  while (pending.size > 0) {
    for (const b of started) {
      if (!pending.has(b)) continue;
      calls.builds += 1;
      t += env.request;
      if (b.end <= t) pending.delete(b);
    }
    if (pending.size > 0) t += UPSTREAM.poll;
  }
  let end = t;
  for (const c of config.components) {
    calls.jobs += 1;
    t += env.request;
    const source = c.build.kind === 'source' ? c.name : c.build.reuseFrom;
    const changes = redeploy.rebuilt === undefined || rebuilt(source);
    if (redeploy.rebuilt !== undefined && changes && c.type === 'continuous') {
      calls.jobs += 1;
      t += env.request;
    }
    if (!changes || c.type !== 'continuous') continue;
    end = Math.max(end, t + env.jobStart + (c.run.healthCheck ? env.jobHealthy : 0));
  }
  return { makespanS: Math.max(end, t), ...calls };
}
