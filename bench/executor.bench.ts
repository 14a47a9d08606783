/**
 * Executor bench: our event-driven DAG executor against upstream's strategy, with fixed, seeded latencies.
 * Printed per tool:
 *   (a) our makespan ÷ the critical-path lower bound,
 *   (b) upstream's makespan ÷ ours,
 *   (c) HTTP calls to builds-api / jobs-api per deployment, ours vs upstream's per-build polling.
 *
 * Makespan = from the start until every job runs and is healthy (scheduled: registered). Ours is measured: the
 * Executor (with the Toolforge runtime) against the builds-api + jobs-api simulator, until the deployment is
 * `successful` (which also includes our `stableForMs` confirmation, and for a job with a health check, which
 * jobs-api cannot report, `unknownHealthStableForMs` without a restart). Upstream's is computed
 * exactly, in virtual time, from its strategy (docs/upstream-compat.md#deployments) under the same latencies, so it adds
 * no noise and no bench time; `BENCH_REPLAY=1` also replays it over HTTP against the simulator as a check of the
 * model. Upstream's end is the moment its last job became healthy (no stability window: in its favour).
 *
 * Time is scaled: SCALE_MS_PER_S bench milliseconds per real second. Every duration is given in real seconds
 * and scaled, including our tick and upstream's 2 s polling period, so ratios and call counts are what they
 * would be at full scale. Each millisecond of our own CPU time reads as 1000 / SCALE_MS_PER_S ms of real time,
 * so the scale is as large as the bench budget (~60 s) allows, and the load average is printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Executor } from '../src/execute/executor.js';
import {
  configFor,
  planFor,
  storeDeployment,
  TOOLHUNT,
  type ComponentSpec,
} from '../test/support/executor-kit.js';
import { createStore } from '../src/store/create-store.js';
import { startSimulator, type Simulator } from '../src/runtimes/toolforge/simulator/simulator.js';
import { ToolforgeRuntime } from '../src/runtimes/toolforge/toolforge-runtime.js';
import { buildStartBody, jobUpsertBody } from '../src/runtimes/toolforge/toolforge-encode.js';
import { jobSpecFor } from '../src/plan/job-spec.js';
import type { ToolConfig } from '../src/config/tool-config.js';
import type { Plan } from '../src/plan/plan.js';
import { mulberry32 } from '../src/support/seeded-random.js';

/** Bench milliseconds per real second: 100 → a 45 s build takes 4.5 s (BENCH_SCALE overrides, for checks). */
const SCALE_MS_PER_S = Number(process.env['BENCH_SCALE'] ?? 100);
const s = (seconds: number): number => Math.round(seconds * SCALE_MS_PER_S);

/** Real-world figures (seconds) the bench is scaled from. */
const REAL = {
  buildMin: 30,
  buildMax: 60,
  /** Every HTTP request to builds-api / jobs-api. */
  request: 0.3,
  jobStart: 8,
  jobHealthy: 6,
  /** Concurrent builds builds-api accepts per tool (both strategies meet the same 409s). */
  buildQuota: 8,
  upstreamPoll: 2,
  upstreamQuotaRetry: 10,
  stable: 2,
  /**
   * jobs-api reports no health: a job with a health check counts as ready after running this long without a
   * restart (our executor's `unknownHealthStableForMs`), whenever its check really starts to pass.
   */
  unknownHealthWindow: 30,
  tickMin: 0.1,
  tickMax: 3,
} as const;

interface Case {
  readonly name: string;
  readonly specs: readonly ComponentSpec[];
}

/**
 * A generated tool: one component in `reusePer` builds from its own repository, the others re-use one of those
 * images (one repository, many processes, like toolhunt-flower); a tenth are scheduled. With `waitFor`, each
 * component waits for up to that many earlier continuous components (a random DAG).
 */
function generated(n: number, seed: number, waitFor: number, reusePer = 3): ComponentSpec[] {
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
function buildSeconds(specs: readonly ComponentSpec[], seed: number): Record<string, number> {
  const random = mulberry32(seed);
  const out: Record<string, number> = {};
  for (const c of specs) {
    const d = REAL.buildMin + random() * (REAL.buildMax - REAL.buildMin);
    if (!c.reuse) out[c.name] = Math.round(d * 10) / 10;
  }
  return out;
}

const scaled = (seconds: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, s(v)]));

/** The latencies and limits a strategy runs under (real seconds). */
interface Assumptions {
  readonly request: number;
  readonly jobStart: number;
  readonly jobHealthy: number;
  readonly buildQuota: number;
  readonly upstreamPoll: number;
  readonly upstreamQuotaRetry: number;
  readonly stable: number;
  readonly unknownHealthWindow: number;
}

/**
 * Lower bound of the makespan (real seconds) of any executor keeping our semantics: the longest path through the
 * task DAG with no polling delay and no overhead — a build costs its start request and its duration, a deploy its
 * upsert request, then (continuous) the job's start and the window that makes it `successful` (`stableForMs`,
 * or for a health-checked job the longer no-restart window, since jobs-api reports no health) (dependents wait for that at every wait-for level) — and the quota bound: with m build slots,
 * two of the m+1 longest builds share a slot (k+1 of the k·m+1 longest, in general), one after the other.
 */
function lowerBound(config: ToolConfig, plan: Plan, buildS: Record<string, number>, a: Assumptions): number {
  return Math.max(dagPath(config, plan, buildS, a), quotaBound(config, plan, buildS, a));
}

/**
 * The longest path through the DAG. With `slots`, builds also queue for the quota in config order, each started
 * the moment a slot frees (what an executor that does not know build times in advance can do at best).
 */
function dagPath(
  config: ToolConfig,
  plan: Plan,
  buildS: Record<string, number>,
  a: Assumptions,
  slots?: number,
): number {
  const byName = new Map(config.components.map((c) => [c.name, c]));
  const finish = new Map<string, number>();
  const free: number[] = Array.from({ length: slots ?? 0 }, () => 0);
  for (const task of plan.tasks) {
    let start = Math.max(0, ...task.dependsOn.map((d) => finish.get(d.task) ?? 0));
    const component = byName.get(task.component);
    let cost = a.request;
    if (task.kind === 'build' && buildS[task.component] !== undefined && free.length > 0) {
      free.sort((x, y) => x - y);
      start = Math.max(start, free[0] ?? 0);
      free[0] = start + a.request + (buildS[task.component] ?? 0);
    }
    if (task.kind === 'build') cost += buildS[task.component] ?? 0;
    if (task.kind === 'deploy' && component?.type === 'continuous') {
      cost += a.jobStart + (component.run.healthCheck ? Math.max(a.stable, a.unknownHealthWindow) : a.stable);
    }
    finish.set(task.id, start + cost);
  }
  return Math.max(...finish.values());
}

function quotaBound(config: ToolConfig, plan: Plan, buildS: Record<string, number>, a: Assumptions): number {
  const byName = new Map(config.components.map((c) => [c.name, c]));
  const deployCosts: number[] = [];
  for (const task of plan.tasks) {
    const component = byName.get(task.component);
    let cost = a.request;
    if (task.kind === 'deploy' && component?.type === 'continuous') {
      cost += a.jobStart + (component.run.healthCheck ? Math.max(a.stable, a.unknownHealthWindow) : a.stable);
    }
    if (task.kind === 'deploy') deployCosts.push(cost);
  }
  const builds = Object.values(buildS)
    .map((d) => d + a.request)
    .sort((x, y) => y - x);
  const m = a.buildQuota;
  let quota = 0;
  for (let k = 1; k * m + 1 <= builds.length; k++) {
    const shared = builds.slice(0, k * m + 1).slice(-(k + 1));
    quota = Math.max(quota, shared.reduce((x, y) => x + y, 0) + Math.min(...deployCosts));
  }
  return quota;
}

interface Modelled {
  readonly makespanS: number;
  readonly builds: number;
  readonly jobs: number;
}

/**
 * Upstream's deploy task (docs/upstream-compat.md#deployments) in virtual time (real seconds). A request is handled
 * `request` s after it is sent (the simulator delays before processing) and answers then. Builds are started one
 * at a time in config order; a 409 (quota: `buildQuota` builds pending or running) sleeps `upstreamQuotaRetry` s
 * and retries that build. Then every unfinished build gets its own GET, one after the other, then a
 * `upstreamPoll` s sleep, until all are done. Then the jobs are upserted one by one in config order (a fresh tool:
 * every upsert changes the job, so no restarts). Not counted, in upstream's favour: its lookup of an existing
 * build per component and `git ls-remote`.
 */
function upstreamModel(
  config: ToolConfig,
  buildS: Record<string, number>,
  a: Assumptions,
  /** Hypothetical, NOT upstream's behaviour: wait for each job to be healthy before the next upsert. */
  serialHealth = false,
): Modelled {
  let t = 0;
  const calls = { builds: 0, jobs: 0 };
  const started: { name: string; end: number }[] = [];
  for (const c of config.components) {
    if (c.build.kind !== 'source') continue;
    for (;;) {
      calls.builds += 1;
      t += a.request;
      const active = started.filter((b) => b.end > t).length;
      if (active < a.buildQuota) break;
      t += a.upstreamQuotaRetry;
    }
    started.push({ name: c.name, end: t + (buildS[c.name] ?? 0) });
  }
  const pending = new Set(started);
  while (pending.size > 0) {
    for (const b of started) {
      if (!pending.has(b)) continue;
      calls.builds += 1;
      t += a.request;
      if (b.end <= t) pending.delete(b);
    }
    if (pending.size > 0) t += a.upstreamPoll;
  }
  let end = t;
  for (const c of config.components) {
    calls.jobs += 1;
    t += a.request;
    const up = c.type === 'continuous' ? a.jobStart + (c.run.healthCheck ? a.jobHealthy : 0) : 0;
    end = Math.max(end, t + up);
    if (serialHealth) t += up;
  }
  return { makespanS: Math.max(end, t), ...calls };
}

interface Outcome {
  readonly makespanMs: number;
  readonly builds: number;
  readonly jobs: number;
  readonly state: string;
}

/** One simulator for the whole bench (warm: schemas compiled, connections open); each run uses its own tool. */
let simulator: Simulator | undefined;
let toolCounter = 0;

async function withSimulator<T>(
  durations: Record<string, number>,
  fn: (sim: Simulator, tool: string) => Promise<T>,
): Promise<T> {
  simulator ??= await startSimulator({
    seed: 7,
    builds: { durationMs: s(REAL.buildMin), quota: REAL.buildQuota, resolveRefs: 'fake' },
    jobs: { startMs: s(REAL.jobStart) },
    faults: { latencyMs: s(REAL.request) },
  });
  simulator.configure({
    builds: {
      durationMs: s(REAL.buildMin),
      durationByImage: durations,
      quota: REAL.buildQuota,
      resolveRefs: 'fake',
    },
  });
  toolCounter += 1;
  return fn(simulator, `bench${toolCounter}`);
}

async function ours(specs: readonly ComponentSpec[], durations: Record<string, number>): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'tfc-bench-exec-'));
  const store = await createStore(join(dir, 'bench.db'));
  try {
    return await withSimulator(durations, async (sim, tool) => {
      const runtime = new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs: 10_000, backoffBaseMs: s(0.25) });
      const executor = new Executor({
        store,
        runtime,
        buildConcurrency: REAL.buildQuota,
        stableForMs: s(REAL.stable),
        unknownHealthStableForMs: s(REAL.unknownHealthWindow),
        tick: { minMs: Math.max(2, s(REAL.tickMin)), maxMs: s(REAL.tickMax) },
        retryBaseMs: s(0.5),
      });
      await executor.start();
      const deployment = await storeDeployment(store, tool, specs);
      const t0 = Date.now();
      executor.notify(deployment.id);
      let state = 'pending';
      for (;;) {
        const d = await store.getDeployment(tool, deployment.id);
        state = d?.state ?? 'gone';
        if (['successful', 'failed', 'cancelled', 'timed_out'].includes(state)) break;
        await sleep(2);
      }
      const makespanMs = Date.now() - t0;
      await executor.stop();
      const calls = runtime.stats();
      await runtime.close();
      return { makespanMs, builds: calls.builds, jobs: calls.jobs, state };
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `upstreamModel` replayed over HTTP against the simulator (BENCH_REPLAY=1), to check the model: start the builds one at a time in config order (409 →
 * retry every 10 s), poll every unfinished build with its own GET every 2 s, then upsert the jobs one by one in
 * config order (restart when unchanged but rebuilt). No wait-for, no health wait.
 */
async function upstreamReplay(
  specs: readonly ComponentSpec[],
  durations: Record<string, number>,
): Promise<Outcome> {
  const config = configFor(specs);
  return withSimulator(durations, async (sim, tool) => {
    const calls = { builds: 0, jobs: 0 };
    const call = async (api: 'builds' | 'jobs', method: string, path: string, body?: unknown) => {
      calls[api] += 1;
      const response = await fetch(`${sim.url}/${api}/v1/tool/${tool}${path}`, {
        method,
        headers: {
          'x-toolforge-tool': tool,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    const t0 = Date.now();
    const buildIds = new Map<string, string>();
    for (const c of config.components) {
      if (c.build.kind !== 'source') continue;
      const body = buildStartBody({
        imageName: c.name,
        repository: c.build.repository,
        useLatestVersions: false,
        useDeprecatedVersions: false,
      });
      for (;;) {
        const r = await call('builds', 'POST', '/builds', body);
        if (r.status === 409) {
          await sleep(s(REAL.upstreamQuotaRetry));
          continue;
        }
        const started = r.json['new_build'] as Record<string, unknown> | undefined;
        if (!started) throw new Error(`builds-api answered ${r.status}: ${JSON.stringify(r.json)}`);
        buildIds.set(c.name, String(started['name']));
        break;
      }
    }
    const images = new Map<string, string>();
    let failed = false;
    while (images.size + (failed ? 1 : 0) < buildIds.size && !failed) {
      for (const [name, id] of buildIds) {
        if (images.has(name)) continue;
        const r = await call('builds', 'GET', `/builds/${id}`);
        const build = r.json['build'] as Record<string, unknown>;
        const status = (build['status'] as string) ?? '';
        if (status === 'BUILD_SUCCESS') images.set(name, String(build['destination_image']));
        else if (/FAILURE|CANCELLED|TIMEOUT/.test(status)) failed = true;
      }
      if (images.size < buildIds.size) await sleep(s(REAL.upstreamPoll));
    }
    for (const c of config.components) {
      const source = c.build.kind === 'source' ? c.name : c.build.reuseFrom;
      const spec = jobSpecFor(c, images.get(source) ?? '');
      const r = await call('jobs', 'PATCH', '/jobs', jobUpsertBody(spec));
      if (r.json['job_changed'] !== true && c.type === 'continuous')
        await call('jobs', 'POST', `/jobs/${c.name}/restart`);
    }
    const loopEnd = Date.now();
    // When did the last job become healthy? Exact, from the simulator's own job state.
    let healthyAt = loopEnd;
    for (const job of sim.state.toolJobs(tool).values()) {
      const spec = job.spec as Record<string, unknown>;
      if (spec['job_type'] !== 'continuous') continue;
      const at = job.generationMs + job.behaviour.startMs + (spec['health_check'] ? s(REAL.jobHealthy) : 0);
      healthyAt = Math.max(healthyAt, at);
    }
    const wait = healthyAt - Date.now();
    if (wait > 0) await sleep(wait);
    return { makespanMs: healthyAt - t0, ...calls, state: failed ? 'failed' : 'successful' };
  });
}

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

export async function run(): Promise<void> {
  const cases: Case[] = [
    { name: 'toolhunt', specs: TOOLHUNT },
    { name: 'wide-30', specs: generated(30, 30, 0) },
    { name: 'dag-300', specs: generated(300, 300, 2, 15) },
  ];
  const replay = process.env['BENCH_REPLAY'] === '1';
  // BENCH_ONLY=dag-300 runs one case (e.g. at a larger BENCH_SCALE, to tell our CPU time from our pacing).
  const only = process.env['BENCH_ONLY'];
  // Warm-up (not measured): JIT, the simulator's request validators, the HTTP connection pool.
  await ours(TOOLHUNT, { 'toolhunt-api': s(1), 'toolhunt-cleanup': s(1) });
  console.log(
    `scale: 1 real s = ${SCALE_MS_PER_S} ms; builds ${REAL.buildMin}-${REAL.buildMax} s (seeded), ${REAL.request} s per request, ` +
      `jobs up after ${REAL.jobStart} s (+${REAL.jobHealthy} s to pass a health check), builds-api quota ${REAL.buildQuota}, ` +
      `stableFor ${REAL.stable} s (${REAL.unknownHealthWindow} s without a restart for a job with a health check: jobs-api reports no health), our tick ${REAL.tickMin}-${REAL.tickMax} s; upstream polls each build every ${REAL.upstreamPoll} s, ` +
      `409 retry every ${REAL.upstreamQuotaRetry} s`,
  );
  console.log('toolhunt: the example (api; cleanup scheduled and flower re-using api, both wait for api)');
  console.log(
    'wide-30:  30 components, no wait-for; 10 build from source, 20 re-use one of those images; every 10th scheduled, half of the rest with an HTTP health check',
  );
  console.log(
    'dag-300:  300 components, 20 builds, each waits for up to 2 earlier continuous ones (random DAG)',
  );
  console.log(
    'LB: critical-path lower bound (any build order); LBq: the same with builds queued for the quota in config order\n' +
      '(the best an executor that cannot know build times in advance does): ours ÷ LBq is our own overhead.',
  );
  console.log(
    'tool      builds  LB(s) LBq(s)  ours(s)  ours/LB ours/LBq  upstr(s)  upstr/ours  upstr/LB  calls ours b+j  calls upstr b+j  load avg',
  );
  for (const c of cases.filter((x) => only === undefined || x.name === only)) {
    const config = configFor(c.specs);
    const plan = planFor('bench', config);
    const buildS = buildSeconds(c.specs, c.specs.length);
    const lb = lowerBound(config, plan, buildS, REAL);
    const lbq = Math.max(lb, dagPath(config, plan, buildS, REAL, REAL.buildQuota));
    const model = upstreamModel(config, buildS, REAL);
    const mine = await ours(c.specs, scaled(buildS));
    const oursS = mine.makespanMs / SCALE_MS_PER_S;
    console.log(
      [
        c.name.padEnd(9),
        String(Object.keys(buildS).length).padStart(6),
        lb.toFixed(1).padStart(6),
        lbq.toFixed(1).padStart(6),
        oursS.toFixed(1).padStart(8),
        (oursS / lb).toFixed(3).padStart(8),
        (oursS / lbq).toFixed(3).padStart(8),
        model.makespanS.toFixed(1).padStart(9),
        (model.makespanS / oursS).toFixed(2).padStart(11),
        (model.makespanS / lb).toFixed(2).padStart(9),
        `${mine.builds}+${mine.jobs}=${mine.builds + mine.jobs}`.padStart(15),
        `${model.builds}+${model.jobs}=${model.builds + model.jobs}`.padStart(16),
        ` ${load()}`,
        mine.state === 'successful' ? '' : ` (ours: ${mine.state})`,
      ].join(' '),
    );
    if (replay) {
      const r = await upstreamReplay(c.specs, scaled(buildS));
      console.log(
        `  upstream replayed on the simulator: ${(r.makespanMs / SCALE_MS_PER_S).toFixed(1)} s, calls ${r.builds}+${r.jobs} (model: ${model.makespanS.toFixed(1)} s, ${model.builds}+${model.jobs})`,
      );
    }
  }
  whatIf();
  await simulator?.close();
  simulator = undefined;
}

/**
 * Upstream ÷ lower bound is the best ratio any executor could reach (ours is above the bound). For the wide
 * tool, under which assumption would it reach 3?
 */
function whatIf(): void {
  const specs = generated(30, 30, 0);
  const config = configFor(specs);
  const plan = planFor('bench', config);
  const base = buildSeconds(specs, specs.length);
  const rows: { what: string; a: Assumptions; builds: Record<string, number>; serialHealth?: boolean }[] = [
    { what: 'as measured', a: REAL, builds: base },
    { what: 'requests take 1 s', a: { ...REAL, request: 1 }, builds: base },
    { what: 'requests take 3 s', a: { ...REAL, request: 3 }, builds: base },
    { what: 'builds-api quota 2', a: { ...REAL, buildQuota: 2 }, builds: base },
    {
      what: 'builds 5-10 s (cached)',
      a: REAL,
      builds: Object.fromEntries(Object.entries(base).map(([k, v]) => [k, 5 + ((v - 30) / 30) * 5])),
    },
    { what: 'requests take 8 s', a: { ...REAL, request: 8 }, builds: base },
    { what: 'jobs up after 60 s (+30 s health)', a: { ...REAL, jobStart: 60, jobHealthy: 30 }, builds: base },
    { what: 'upstream waited for health per job', a: REAL, builds: base, serialHealth: true },
  ];
  console.log(
    'wide-30, upstream ÷ lower bound (the best ratio any executor can reach) under other assumptions:',
  );
  for (const row of rows) {
    const lb = lowerBound(config, plan, row.builds, row.a);
    const up = upstreamModel(config, row.builds, row.a, row.serialHealth);
    console.log(
      `  ${row.what.padEnd(35)} LB ${lb.toFixed(1).padStart(6)} s  upstream ${up.makespanS.toFixed(1).padStart(6)} s  ratio ${(up.makespanS / lb).toFixed(2)}`,
    );
  }
}
