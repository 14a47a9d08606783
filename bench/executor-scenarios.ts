/**
 * The executor bench proper (run by executor.bench.ts in a child process whose time is warped, see
 * time-warp.ts). Our executor runs exactly as shipped — `new Executor({ store, runtime })`, no tuning — with the
 * Toolforge runtime against the builds-api + jobs-api simulator, which plays Toolforge's real-world times
 * (`TOOLFORGE` in executor-model.ts): the environment, not a setting of ours.
 *
 * Printed per scenario, min and median of `BENCH_RUNS` (default 3) runs:
 *   ours ÷ LB      our makespan ÷ the true lower bound (executor-model.ts `lowerBound`);
 *   upstream ÷ ours upstream's modelled makespan ÷ ours (> 1: we are faster);
 *   calls          HTTP calls to builds-api + jobs-api, ours (every attempt) vs upstream's model.
 * Makespan, ours: from the deployment's start until it is `successful` (every continuous job confirmed ready by
 * our rule, every scheduled job registered); on a redeploy it includes observing the tool and planning.
 * Upstream's: computed in virtual time (it adds no noise), until its last job runs and is healthy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Executor } from '../src/execute/executor.js';
import { resolveOptions } from '../src/execute/executor-options.js';
import {
  configFor,
  planFor,
  storeDeployment,
  TOOLHUNT,
  type ComponentSpec,
} from '../test/support/executor-kit.js';
import { createStore } from '../src/store/create-store.js';
import type { Store } from '../src/store/store.js';
import { startSimulator, type Simulator } from '../src/simulator/simulator.js';
import { fakeCommit } from '../src/simulator/build-model.js';
import { ToolforgeRuntime } from '../src/runtimes/toolforge/toolforge-runtime.js';
import { planDeployment } from '../src/plan/plan-builder.js';
import { refKey, type ObservedState, type RefResolution } from '../src/model/observed-state.js';
import type { ToolConfig } from '../src/model/tool-config.js';
import type { Plan } from '../src/model/plan.js';
import {
  TOOLFORGE,
  buildSeconds,
  generated,
  lowerBound,
  upstreamModel,
  type Environment,
  type Modelled,
} from './executor-model.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);

interface Measured {
  readonly makespanS: number;
  readonly calls: number;
  readonly state: string;
}

interface Row {
  readonly name: string;
  readonly lb: number;
  readonly upstream: Modelled;
  readonly runs: Measured[];
}

const ms = (seconds: number): number => Math.round(seconds * 1000);
const scaled = (seconds: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, ms(v)]));

async function simulator(env: Environment, durations: Record<string, number>): Promise<Simulator> {
  return startSimulator({
    seed: 7,
    builds: {
      durationMs: ms(env.buildMin),
      durationByImage: durations,
      quota: env.buildQuota,
      resolveRefs: 'fake',
    },
    jobs: { startMs: ms(env.jobStart) },
    faults: env.request > 0 ? { latencyMs: ms(env.request) } : {},
  });
}

/** The shipped defaults, for the closing line (read once, from the first executor's own options). */
let shipped: ReturnType<typeof resolveOptions> | undefined;

/** A fresh store, simulator and shipped-default executor for one tool; `fn` gets them. */
async function world<T>(
  env: Environment,
  durations: Record<string, number>,
  fn: (w: { store: Store; sim: Simulator; runtime: ToolforgeRuntime; executor: Executor }) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tfc-bench-exec-'));
  const store = await createStore(join(dir, 'bench.db'));
  const sim = await simulator(env, durations);
  const runtime = new ToolforgeRuntime({ apiUrl: sim.url });
  shipped ??= resolveOptions({ store, runtime });
  const executor = new Executor({ store, runtime });
  await executor.start();
  try {
    return await fn({ store, sim, runtime, executor });
  } finally {
    await executor.stop();
    await runtime.close();
    await sim.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a stored deployment to its end; makespan from `t0`. */
async function finish(
  w: { store: Store; executor: Executor },
  tool: string,
  id: string,
  t0: number,
): Promise<{ makespanS: number; state: string }> {
  w.executor.notify(id);
  for (;;) {
    const d = await w.store.getDeployment(tool, id);
    const state = d?.state ?? 'gone';
    if (['successful', 'failed', 'cancelled', 'timed_out', 'gone'].includes(state))
      return { makespanS: (Date.now() - t0) / 1000, state };
    await sleep(20);
  }
}

const callsOf = (runtime: ToolforgeRuntime): number => {
  const c = runtime.stats();
  return c.builds + c.jobs;
};

/** A fresh deployment of `specs`: every image built, every job created. */
async function fresh(
  specs: readonly ComponentSpec[],
  buildS: Record<string, number>,
  env: Environment = TOOLFORGE,
): Promise<Measured> {
  return world(env, scaled(buildS), async (w) => {
    const deployment = await storeDeployment(w.store, 'bench', specs);
    w.runtime.resetStats();
    const t0 = Date.now();
    const end = await finish(w, 'bench', deployment.id, t0);
    if (process.env['BENCH_TRACE'] === '1') {
      await trace(w.store, deployment.id, t0);
      console.log(`  requests per route: ${JSON.stringify(w.sim.stats().routes)}`);
    }
    return { ...end, calls: callsOf(w.runtime) };
  });
}

/** BENCH_TRACE=1: each task's start and end (s since the deployment's start), to see where time goes. */
async function trace(store: Store, id: string, t0: number): Promise<void> {
  const at = (iso: string | undefined): string =>
    iso === undefined ? '-' : ((Date.parse(iso) - t0) / 1000).toFixed(1);
  for (const task of await store.listTasks(id))
    console.log(
      `  ${task.id.padEnd(16)} ${at(task.startedAt).padStart(6)} → ${at(task.finishedAt).padStart(6)}  ${task.reason ?? ''}`,
    );
}

/** What the server observes before it plans: the tool's builds and jobs, and its repositories' commits. */
async function observed(
  runtime: ToolforgeRuntime,
  config: ToolConfig,
  moved: ReadonlyMap<string, string>,
): Promise<ObservedState> {
  const snapshot = await runtime.observe('bench');
  const resolvedRefs: Record<string, RefResolution> = {};
  for (const c of config.components) {
    if (c.build.kind !== 'source') continue;
    // The simulator's git: a stable commit per repository and ref, or the one pushed since.
    const commit = moved.get(c.name) ?? fakeCommit(c.build.repository, c.build.ref);
    resolvedRefs[refKey(c.build.repository, c.build.ref)] = { ok: true, commit };
  }
  return {
    tool: 'bench',
    observedAt: new Date().toISOString(),
    builds: snapshot.builds,
    jobs: snapshot.jobs,
    previouslyManaged: config.components.map((c) => c.name),
    resolvedRefs,
  };
}

/**
 * Redeploys of a deployed tool, `RUNS` times: each run pushes a new commit to the components `change(run)`
 * names (none: a no-op redeploy), then observes, plans (with `--force-build`: every image rebuilt) and deploys.
 * The first deployment is not measured.
 */
async function redeploys(
  specs: readonly ComponentSpec[],
  buildS: Record<string, number>,
  change: (run: number) => readonly string[],
  forceBuild = false,
): Promise<{ runs: Measured[]; plans: Plan[] }> {
  const config = configFor(specs);
  return world(TOOLFORGE, scaled(buildS), async (w) => {
    const first = await storeDeployment(w.store, 'bench', specs);
    const setup = await finish(w, 'bench', first.id, Date.now());
    if (setup.state !== 'successful') throw new Error(`the first deployment ended ${setup.state}`);
    const runs: Measured[] = [];
    const plans: Plan[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const moved = new Map(change(run).map((name) => [name, fakeCommit(`${name}-pushed`, String(run))]));
      w.runtime.resetStats();
      const t0 = Date.now();
      const state = await observed(w.runtime, config, moved);
      const plan = planDeployment(config, state, { forceBuild, forceRun: false, prune: false });
      plans.push(plan);
      const deployment = await storeDeployment(w.store, 'bench', specs, {
        observed: state,
        planOptions: { forceBuild },
      });
      const end = await finish(w, 'bench', deployment.id, t0);
      runs.push({ ...end, calls: callsOf(w.runtime) });
    }
    return { runs, plans };
  });
}

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

const HEADER =
  'scenario          LB(s)  ours(s)     ours/LB  upstr(s)  upstr/ours  calls ours  upstream  load avg';

function print(row: Row): void {
  const times = row.runs.map((r) => r.makespanS);
  const [min, med] = [Math.min(...times), median(times)];
  const calls = row.runs.map((r) => r.calls);
  const failed = row.runs.filter((r) => r.state !== 'successful').map((r) => r.state);
  const ratio = (x: number, y: number): string => (y > 0.05 ? (x / y).toFixed(2) : '—');
  console.log(
    [
      row.name.padEnd(14),
      row.lb.toFixed(1).padStart(6),
      `${min.toFixed(1)}/${med.toFixed(1)}`.padStart(12),
      `${ratio(min, row.lb)}/${ratio(med, row.lb)}`.padStart(11),
      row.upstream.makespanS.toFixed(1).padStart(8),
      `${ratio(row.upstream.makespanS, min)}/${ratio(row.upstream.makespanS, med)}`.padStart(14),
      `${Math.min(...calls)}/${median(calls)}`.padStart(13),
      String(row.upstream.builds + row.upstream.jobs).padStart(8),
      ` ${load()}`,
      failed.length > 0 ? ` (ours ended ${failed.join(', ')})` : '',
    ].join(' '),
  );
}

/** wide-30 of issue 10, unwarped: 30 components building at once, 4 s builds, quota 8, jobs run after 2 s. */
const REAL_TIME: Environment = {
  buildMin: 4,
  buildMax: 4,
  request: 0,
  jobStart: 2,
  jobHealthy: 0,
  buildQuota: 8,
};

async function realTime(): Promise<void> {
  const specs: ComponentSpec[] = Array.from({ length: 30 }, (_, i) => ({
    name: `w${String(i).padStart(2, '0')}`,
    health: false,
  }));
  const config = configFor(specs);
  const buildS = buildSeconds(specs, 1, REAL_TIME);
  const runs: Measured[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await fresh(specs, buildS, REAL_TIME));
  console.log(
    'real time, no warp: 30 components each building (4 s builds, quota 8, jobs run 2 s after an upsert, no health\n' +
      "check); issue 10's bound ⌈30/8⌉·4 = 16 s (goal ≤ 20.8 s); the LB column adds the last job's start",
  );
  console.log(HEADER);
  print({
    name: 'wide-30 (real)',
    lb: lowerBound(config, planFor('bench', config), buildS, REAL_TIME),
    upstream: upstreamModel(config, buildS, REAL_TIME),
    runs,
  });
  closing();
}

function closing(): void {
  if (!shipped) return;
  console.log(
    `ours ran with the shipped defaults: stable for ${shipped.stableForMs / 1000} s; a health check jobs-api cannot ` +
      `report: ${shipped.unknownHealthStableForMs / 1000} s without a restart; tick ${shipped.tick.minMs / 1000}-` +
      `${shipped.tick.maxMs / 1000} s. upstream (model): builds one at a time, each polled every 2 s, 409 retried ` +
      'every 10 s, then the jobs one by one.',
  );
}

export async function main(warp: number): Promise<void> {
  const env = TOOLFORGE;
  if (warp === 1) {
    await realTime();
    return;
  }
  console.log(
    `environment (real seconds; time warped ×${warp}: 1 s takes ${(1000 / warp).toFixed(0)} ms, our CPU time counts ×${warp}): ` +
      `builds ${env.buildMin}-${env.buildMax} s (seeded), ${env.request} s per request, jobs run ${env.jobStart} s after an ` +
      `upsert (+${env.jobHealthy} s to pass a health check), builds-api quota ${env.buildQuota}`,
  );
  console.log(
    'LB: longest path at the least cost of each task (no stability window, no polling) and the quota pigeonhole bound\n' +
      'toolhunt: the example; wide-30: 30 components, 10 builds, no wait-for; dag-300: 300 components, 20 builds,\n' +
      'random wait-for DAG; changed-1-of-30: wide-30 deployed, one build component gets a new commit;\n' +
      'wide-30-redeploy: wide-30 deployed, redeployed with --force-build (history known: longest builds first);\n' +
      `noop-300: dag-300 deployed, redeployed unchanged. Columns: min/median of ${RUNS} runs.`,
  );
  console.log(HEADER);
  const toolhunt = TOOLHUNT;
  const wide = generated(30, 30, 0);
  const dag = generated(300, 300, 2, 15);
  const only = process.env['BENCH_ONLY'];
  const want = (name: string): boolean => only === undefined || only.split(',').includes(name);

  for (const [name, specs] of [
    ['toolhunt', toolhunt],
    ['wide-30', wide],
    ['dag-300', dag],
  ] as const) {
    if (!want(name)) continue;
    const config = configFor(specs);
    const buildS = buildSeconds(specs, specs.length, env);
    const runs: Measured[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await fresh(specs, buildS));
    print({
      name,
      lb: lowerBound(config, planFor('bench', config), buildS, env),
      upstream: upstreamModel(config, buildS, env),
      runs,
    });
  }

  if (want('changed-1-of-30')) {
    const config = configFor(wide);
    const buildS = buildSeconds(wide, wide.length, env);
    // The longest build's component: the change users wait for most.
    const changed = Object.entries(buildS).sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'c000';
    const { runs, plans } = await redeploys(wide, buildS, () => [changed]);
    print({
      name: 'changed-1-of-30',
      lb: Math.min(...plans.map((p) => lowerBound(config, p, buildS, env))) + env.request,
      upstream: upstreamModel(config, buildS, env, { rebuilt: new Set([changed]) }),
      runs,
    });
  }

  if (want('wide-30-redeploy')) {
    // wide-30 deployed once, then `deploy --force-build` (e.g. for the latest base images): every image is
    // rebuilt, and the tool's builds list tells how long each took last time.
    const config = configFor(wide);
    const buildS = buildSeconds(wide, wide.length, env);
    const { runs, plans } = await redeploys(wide, buildS, () => [], true);
    print({
      name: 'wide-30-redeploy',
      lb: Math.min(...plans.map((p) => lowerBound(config, p, buildS, env))) + env.request,
      upstream: upstreamModel(config, buildS, env, { rebuilt: new Set(Object.keys(buildS)) }),
      runs,
    });
  }

  if (want('noop-300')) {
    const config = configFor(dag);
    const buildS = buildSeconds(dag, dag.length, env);
    const { runs, plans } = await redeploys(dag, buildS, () => []);
    print({
      name: 'noop-300',
      // Nothing to do but look: one round of the two lists.
      lb: Math.min(...plans.map((p) => lowerBound(config, p, buildS, env))) + env.request,
      upstream: upstreamModel(config, buildS, env, { rebuilt: new Set() }),
      runs,
    });
  }
  closing();
}
