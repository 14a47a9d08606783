/**
 * Executor bench: our event-driven DAG executor against upstream's strategy, both talking HTTP to the builds-api
 * + jobs-api simulator with fixed, seeded latencies. Printed per tool:
 *   (a) our makespan ÷ the critical-path lower bound,
 *   (b) upstream's makespan ÷ ours,
 *   (c) HTTP calls to builds-api / jobs-api per deployment, ours vs upstream's per-build polling.
 *
 * Makespan = from the start until every job runs and is healthy (scheduled: registered). Ours is the deployment
 * end (it only ends once everything is healthy); upstream's is the later of its own end and the moment the last
 * job became healthy (upstream does not wait for health), read from the simulator's clock-exact job state.
 *
 * Time is scaled: SCALE real seconds per bench millisecond ... every duration below is given in real seconds
 * and multiplied by SCALE_MS_PER_S, including our tick and upstream's 2 s polling period, so ratios and call
 * counts are what they would be at full scale.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Executor } from '../src/execute/executor.js';
import {
  configFor,
  planFor,
  storeDeployment,
  TOOLHUNT,
  type ComponentSpec,
} from '../src/execute/test-kit.js';
import { createStore } from '../src/store/create-store.js';
import { startSimulator, type Simulator } from '../src/runtimes/toolforge/simulator/simulator.js';
import { ToolforgeRuntime } from '../src/runtimes/toolforge/toolforge-runtime.js';
import { buildStartBody, jobUpsertBody } from '../src/runtimes/toolforge/toolforge-encode.js';
import { jobSpecFor } from '../src/plan/job-spec.js';
import type { ToolConfig } from '../src/config/tool-config.js';
import type { Plan } from '../src/plan/plan.js';
import { mulberry32 } from '../src/support/seeded-random.js';

/** Bench milliseconds per real second: 40 → a 45 s build takes 1.8 s. */
const SCALE_MS_PER_S = 40;
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

function buildDurations(specs: readonly ComponentSpec[], seed: number): Record<string, number> {
  const random = mulberry32(seed);
  const out: Record<string, number> = {};
  for (const c of specs)
    if (!c.reuse) out[c.name] = s(REAL.buildMin + random() * (REAL.buildMax - REAL.buildMin));
  return out;
}

/**
 * Lower bound of the makespan: the longest path through the task DAG with no polling delay and no overhead, and
 * the quota bound: with m build slots some slot runs at least ceil(n/m) builds one after another, so the sum of
 * the ceil(n/m) shortest builds (plus the cheapest deploy after them) cannot be beaten either.
 */
function lowerBound(config: ToolConfig, plan: Plan, durations: Record<string, number>): number {
  const request = s(REAL.request);
  const byName = new Map(config.components.map((c) => [c.name, c]));
  const finish = new Map<string, number>();
  const deployCosts: number[] = [];
  for (const task of plan.tasks) {
    const start = Math.max(0, ...task.dependsOn.map((d) => finish.get(d.task) ?? 0));
    const component = byName.get(task.component);
    let cost = request;
    if (task.kind === 'build') cost += durations[task.component] ?? 0;
    if (task.kind === 'deploy' && component?.type === 'continuous') {
      cost += s(REAL.jobStart) + (component.run.healthCheck ? s(REAL.jobHealthy) : 0);
    }
    if (task.kind === 'deploy') deployCosts.push(cost);
    finish.set(task.id, start + cost);
  }
  const path = Math.max(...finish.values());
  const builds = Object.values(durations).sort((a, b) => a - b);
  const perSlot = Math.ceil(builds.length / REAL.buildQuota);
  const quota = builds.slice(0, perSlot).reduce((a, b) => a + b + request, 0) + Math.min(...deployCosts);
  return Math.max(path, quota);
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
    jobs: { startMs: s(REAL.jobStart), healthyMs: s(REAL.jobHealthy) },
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
 * Upstream's deploy task (upstream-behaviour.md §L–M): start the builds one at a time in config order (409 →
 * retry every 10 s), poll every unfinished build with its own GET every 2 s, then upsert the jobs one by one in
 * config order (restart when unchanged but rebuilt). No wait-for, no health wait.
 */
async function upstream(
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
      const at =
        job.generationMs + job.behaviour.startMs + (spec['health_check'] ? job.behaviour.healthyMs : 0);
      healthyAt = Math.max(healthyAt, at);
    }
    const wait = healthyAt - Date.now();
    if (wait > 0) await sleep(wait);
    return { makespanMs: healthyAt - t0, ...calls, state: failed ? 'failed' : 'successful' };
  });
}

export async function run(): Promise<void> {
  const cases: Case[] = [
    { name: 'toolhunt (3 components)', specs: TOOLHUNT },
    { name: 'wide-30 (no wait-for)', specs: generated(30, 30, 0) },
    { name: 'dag-300 (random wait-for)', specs: generated(300, 300, 2, 15) },
  ];
  // Warm-up (not measured): JIT, the simulator's request validators, the HTTP connection pool.
  await ours(TOOLHUNT, { 'toolhunt-api': s(1), 'toolhunt-cleanup': s(1) });
  await upstream(TOOLHUNT, { 'toolhunt-api': s(1), 'toolhunt-cleanup': s(1) });
  console.log(
    `scale: 1 real s = ${SCALE_MS_PER_S} ms; builds ${REAL.buildMin}-${REAL.buildMax} s (seeded), ${REAL.request} s per request, ` +
      `jobs up after ${REAL.jobStart} s (+${REAL.jobHealthy} s to pass a health check), builds-api quota ${REAL.buildQuota}`,
  );
  console.log(
    'tool                        comps builds  LB(s)  ours(s)  ours/LB  upstr(s)  upstr/ours  calls ours b+j  calls upstream b+j',
  );
  for (const c of cases) {
    const config = configFor(c.specs);
    const plan = planFor('bench', config);
    const durations = buildDurations(c.specs, c.specs.length);
    const lb = lowerBound(config, plan, durations);
    const a = await ours(c.specs, durations);
    const b = await upstream(c.specs, durations);
    const real = (ms: number): string => (ms / SCALE_MS_PER_S).toFixed(0).padStart(6);
    console.log(
      [
        c.name.padEnd(27),
        String(c.specs.length).padStart(5),
        String(Object.keys(durations).length).padStart(6),
        real(lb),
        real(a.makespanMs).padStart(8),
        (a.makespanMs / lb).toFixed(2).padStart(8),
        real(b.makespanMs).padStart(9),
        (b.makespanMs / a.makespanMs).toFixed(2).padStart(11),
        `${a.builds}+${a.jobs}=${a.builds + a.jobs}`.padStart(15),
        `${b.builds}+${b.jobs}=${b.builds + b.jobs}`.padStart(19),
        a.state === 'successful' ? '' : ` (ours: ${a.state})`,
      ].join(' '),
    );
  }
  await simulator?.close();
  simulator = undefined;
}
