/**
 * Executor behaviour on the real SQLite store with the fake runtime: DAG order, event-driven starts, failures,
 * wait-for, cancel, quota and injected faults. Driven by `advance` on a manual clock (no real-time sleep),
 * with the shipped defaults unless a test is about a setting; one test runs the worker loop in real time.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resultOf } from '../../../src/execute/task-record.js';
import { Executor, type ExecutorOptions } from '../../../src/execute/executor.js';
import { FakeRuntime, type FakeRuntimeOptions } from '../../../src/runtimes/fake/fake-runtime.js';
import { useTestStore } from '../../support/stores.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import {
  ManualClock,
  TOOLHUNT,
  byId,
  configFor,
  driveWithClock,
  storeDeployment,
  taskTable,
  waitForTasks,
  waitUntilFinal,
  type ComponentSpec,
  type StoreDeploymentOptions,
  fakeOnManualClock,
  ms,
} from '../../support/executor-kit.js';
import type { DeploymentTask } from '../../../src/model/deployment.js';
import type { PlanTask } from '../../../src/model/plan.js';
import type { BuildQuota } from '../../../src/runtimes/runtime.js';
import { observeTool } from '../../../src/status/observe.js';

const executors: Executor[] = [];
// Registered first, so it runs first: executors stop before the store closes.
after(async () => {
  await Promise.allSettled(executors.map((e) => e.stop()));
});
let store: KyselyStore;
useTestStore('sqlite', (opened) => (store = opened));

let toolCounter = 0;
const newTool = (): string => `tool${++toolCounter}`;

async function run(
  specs: readonly ComponentSpec[],
  fake: FakeRuntimeOptions = {},
  options: Partial<ExecutorOptions> = {},
  planOptions: StoreDeploymentOptions = {},
): Promise<{
  runtime: FakeRuntime;
  tasks: Map<string, DeploymentTask>;
  state: string;
  longStatus: string;
  tool: string;
  id: string;
  finished: string[];
}> {
  const { clock, runtime } = fakeOnManualClock(fake);
  const finished: string[] = [];
  const tool = newTool();
  const executor = new Executor({
    store,
    clock,
    onTaskFinished: (t) => finished.push(t.id),
    ...options,
    runtime,
  });
  const deployment = await storeDeployment(store, tool, specs, { createdAt: clock.now(), ...planOptions });
  const final = await driveWithClock(executor, store, deployment, clock);
  const tasks = byId(await store.listTasks(deployment.id));
  return {
    runtime,
    tasks,
    state: final.state,
    longStatus: final.longStatus ?? '',
    tool,
    id: deployment.id,
    finished,
  };
}

function taskTimes(tasks: Map<string, DeploymentTask>): string {
  const t0 = Math.min(...[...tasks.values()].map((t) => ms(t.startedAt)).filter(Number.isFinite));
  return [...tasks.values()]
    .map((t) => `${t.id} ${ms(t.startedAt) - t0}..${ms(t.finishedAt) - t0} ${t.state}`)
    .join('\n');
}
function task(tasks: Map<string, DeploymentTask>, id: string): DeploymentTask {
  const t = tasks.get(id);
  assert.ok(t, `task ${id} exists`);
  return t;
}

describe('Executor', () => {
  it('deploys toolhunt: builds in parallel, the api first, the other two once it is healthy', async () => {
    const r = await run(TOOLHUNT, { buildMs: 40, jobStartMs: 10, jobHealthyMs: 20 });
    assert.equal(r.state, 'successful', taskTable([...r.tasks.values()]));
    assert.match(r.longStatus, /^Finished at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    // Builds overlap: the second started before the first finished.
    const apiBuild = task(r.tasks, 'build:toolhunt-api');
    const cleanupBuild = task(r.tasks, 'build:toolhunt-cleanup');
    assert.ok(ms(apiBuild.startedAt) < ms(cleanupBuild.finishedAt));
    assert.ok(ms(cleanupBuild.startedAt) < ms(apiBuild.finishedAt));
    assert.equal(r.runtime.count('startBuild'), 2);
    // The api's job is upserted first; the dependents only after the api was verified healthy.
    const upserts = r.runtime.calls.filter((c) => c.method === 'upsertJob').map((c) => c.target);
    assert.equal(upserts[0], 'toolhunt-api');
    assert.deepEqual([...upserts].sort(), ['toolhunt-api', 'toolhunt-cleanup', 'toolhunt-flower']);
    const api = task(r.tasks, 'deploy:toolhunt-api');
    for (const id of ['deploy:toolhunt-cleanup', 'deploy:toolhunt-flower']) {
      assert.ok(
        ms(task(r.tasks, id).startedAt) >= ms(api.finishedAt),
        `${id} started after the api was healthy`,
      );
    }
    // Flower runs the api's image; upstream's run long status is kept.
    assert.equal(
      resultOf(task(r.tasks, 'deploy:toolhunt-flower')).image,
      resultOf(task(r.tasks, 'build:toolhunt-api')).image,
    );
    assert.match(
      api.reason ?? '',
      /^created or updated job toolhunt-api, \[info\]\(created continuous job toolhunt-api\)$/,
    );
    // The waits were visible as they happened.
    const events = await store.listEvents(r.id);
    assert.ok(
      events.some(
        (e) =>
          e.taskId === 'deploy:toolhunt-flower' &&
          e.state === 'waiting' &&
          /waiting for toolhunt-api/.test(e.reason ?? ''),
      ),
    );
    assert.deepEqual(
      events.filter((e) => e.type === 'deployment').map((e) => e.state),
      ['running', 'successful'],
    );
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
    );
    // The metrics hook saw every task finish once.
    assert.deepEqual([...r.finished].sort(), [...r.tasks.keys()].sort());
  });

  it('restarts unchanged continuous jobs onto a rebuilt image when the plan says so, never scheduled ones', async () => {
    const clock = new ManualClock();
    const runtime = new FakeRuntime({ now: () => clock.now() });
    const tool = newTool();
    const executor = new Executor({ store, runtime, clock });
    const config = configFor(TOOLHUNT);
    for (const round of [1, 2]) {
      // Round 2 is planned against what round 1 left, with new builds: same specs, rebuilt images.
      const observed = await observeTool(runtime, tool, config, []);
      const deployment = await storeDeployment(store, tool, TOOLHUNT, {
        observed,
        planOptions: { forceBuild: round === 2 },
        createdAt: clock.now(),
      });
      const final = await driveWithClock(executor, store, deployment, clock);
      assert.equal(final.state, 'successful', `round ${round}`);
      const tasks = byId(await store.listTasks(deployment.id));
      if (round === 2) {
        assert.equal(task(tasks, 'deploy:toolhunt-api').reason, 'restarted job toolhunt-api');
        assert.equal(
          task(tasks, 'deploy:toolhunt-cleanup').reason,
          'job toolhunt-cleanup is already up to date',
        );
      }
    }
    const restarted = runtime.calls.filter((c) => c.method === 'restartJob').map((c) => c.target);
    assert.deepEqual(restarted.sort(), ['toolhunt-api', 'toolhunt-flower']);
  });

  it('fails, saying why, a deployment stored by a version whose plan had no task operations', async () => {
    const r = await run(
      [{ name: 'api' }],
      {},
      {},
      {
        plan: (p) => ({
          ...p,
          tasks: p.tasks.map(
            ({ id, kind, component, dependsOn }) => ({ id, kind, component, dependsOn }) as PlanTask,
          ),
        }),
      },
    );
    assert.equal(r.state, 'failed');
    for (const t of r.tasks.values())
      assert.match(t.reason ?? '', /planned by an older version .*: deploy again/);
    assert.equal(
      r.runtime.calls.filter((c) => c.method !== 'observe' && c.method !== 'buildQuota').length,
      0,
    );
  });

  it('finishes at once when there is nothing to do', async () => {
    const r = await run(TOOLHUNT, {}, {}, { plan: (p) => ({ ...p, tasks: [] }) });
    assert.equal(r.state, 'successful');
    assert.equal(r.runtime.calls.length, 0);
  });

  it("deploys the plan's known image without building", async () => {
    const image = 'tools-harbor.wmcloud.org/tool-x/toolhunt-api:latest@sha256:abc';
    const r = await run(
      [{ name: 'toolhunt-api', health: false }],
      {},
      {},
      {
        plan: (p) => ({
          ...p,
          tasks: p.tasks
            .filter((t) => t.kind !== 'build')
            .map((t) =>
              t.operation.kind === 'upsert-job'
                ? { ...t, dependsOn: [], operation: { ...t.operation, image: { kind: 'known', image } } }
                : t,
            ),
        }),
      },
    );
    assert.equal(r.state, 'successful', taskTable([...r.tasks.values()]));
    assert.equal(r.runtime.count('startBuild'), 0);
    assert.equal(r.runtime.inspect(r.tool).jobs[0]?.image, image);
  });

  it('reports replicas while waiting for a dependency', async () => {
    const specs: ComponentSpec[] = [
      { name: 'api', replicas: 2 },
      { name: 'worker', waitFor: ['api'], health: false },
    ];
    const r = await run(specs, { buildMs: 5, jobStartMs: 5, jobHealthyMs: 600 });
    assert.equal(r.state, 'successful');
    const events = await store.listEvents(r.id);
    const reasons = events.filter((e) => e.taskId === 'deploy:api').map((e) => e.reason ?? '');
    assert.ok(
      reasons.some((x) => x.includes('1/2 replicas healthy')),
      reasons.join('\n'),
    );
  });

  it('starts a task as soon as its own dependencies are done (diamond, no waves)', async () => {
    const specs: ComponentSpec[] = [
      { name: 'a' },
      { name: 'b', waitFor: ['a'] },
      { name: 'c', waitFor: ['a'] },
      { name: 'd', waitFor: ['b', 'c'] },
    ];
    const r = await run(specs, {
      buildMs: 10,
      builds: { b: { durationMs: 1_500 } },
      jobStartMs: 5,
      jobHealthyMs: 5,
    });
    assert.equal(r.state, 'successful', taskTable([...r.tasks.values()]));
    // c is deployed while b's long build still runs.
    assert.ok(
      ms(task(r.tasks, 'deploy:c').finishedAt) < ms(task(r.tasks, 'build:b').finishedAt),
      taskTimes(r.tasks),
    );
    const d = task(r.tasks, 'deploy:d');
    assert.ok(ms(d.startedAt) >= ms(task(r.tasks, 'deploy:b').finishedAt));
    assert.ok(ms(d.startedAt) >= ms(task(r.tasks, 'deploy:c').finishedAt));
  });

  it('runs a wide tool within the build cap, deploying each component when its own build is done', async () => {
    const specs: ComponentSpec[] = Array.from({ length: 12 }, (_, i) => ({ name: `c${i}`, health: false }));
    const builds = { c0: { durationMs: 10_000 }, c1: { durationMs: 10 } };
    const r = await run(specs, { buildMs: 40, builds, jobStartMs: 2 }, { buildConcurrency: 4 });
    assert.equal(r.state, 'successful', taskTable([...r.tasks.values()]));
    assert.equal(r.runtime.count('startBuild'), 12);
    // c1's job is up while c0 is still building.
    assert.ok(ms(task(r.tasks, 'deploy:c1').finishedAt) < ms(task(r.tasks, 'build:c0').finishedAt));
    // Never more than 4 builds at once.
    const spans = [...r.tasks.values()]
      .filter((t) => t.kind === 'build')
      .map((t) => [ms(t.startedAt), ms(t.finishedAt)] as const);
    const peak = Math.max(...spans.map(([s]) => spans.filter(([a, b]) => a <= s && s < b).length));
    assert.ok(peak <= 4, `peak ${peak} builds`);
  });

  it('skips the dependents of a failed build and deploys the independent branch', async () => {
    const r = await run(TOOLHUNT.concat([{ name: 'other', health: false }]), {
      builds: { 'toolhunt-api': { durationMs: 20, failWith: 'pip install failed' } },
    });
    assert.equal(r.state, 'failed');
    const build = task(r.tasks, 'build:toolhunt-api');
    assert.equal(build.state, 'failed');
    assert.match(
      build.reason ?? '',
      /you can check the build logs for more info: toolhunt-api\(id:.+\): pip install failed/,
    );
    assert.equal(task(r.tasks, 'deploy:toolhunt-api').state, 'skipped');
    assert.equal(task(r.tasks, 'deploy:toolhunt-api').reason, 'build of toolhunt-api failed');
    for (const id of ['deploy:toolhunt-cleanup', 'deploy:toolhunt-flower']) {
      assert.equal(task(r.tasks, id).state, 'skipped');
      assert.equal(task(r.tasks, id).reason, 'dependency toolhunt-api failed');
    }
    assert.equal(task(r.tasks, 'deploy:other').state, 'succeeded');
    assert.equal(task(r.tasks, 'build:toolhunt-cleanup').state, 'succeeded');
    assert.match(r.longStatus, /^Failed at .*: toolhunt-api \(build\): Build failed/);
    assert.match(r.longStatus, /skipped: .*toolhunt-cleanup \(dependency toolhunt-api failed\)/);
    assert.match(r.longStatus, /deployed: other$/);
    // A job that was deployed is left alone (no rollback).
    assert.equal(r.runtime.count('deleteJob'), 0);
  });

  it('fails fast when a dependency crash-loops, naming it', async () => {
    const r = await run(
      TOOLHUNT,
      { jobs: { 'toolhunt-api': { crashLoop: 'ImportError: no module named flask' } } },
      { waitTimeoutMs: 60_000 },
    );
    assert.equal(r.state, 'failed');
    const api = task(r.tasks, 'deploy:toolhunt-api');
    assert.equal(api.state, 'failed');
    assert.equal(api.reason, 'toolhunt-api is crash-looping: ImportError: no module named flask');
    assert.equal(task(r.tasks, 'deploy:toolhunt-flower').reason, 'dependency toolhunt-api failed');
  });

  it('fails a wait at its deadline with the reason', async () => {
    const r = await run(
      TOOLHUNT,
      { jobs: { 'toolhunt-api': { neverHealthy: true } } },
      { waitTimeoutMs: 5_000 },
    );
    assert.equal(r.state, 'failed');
    assert.equal(
      task(r.tasks, 'deploy:toolhunt-api').reason,
      'timed out after 5s waiting for toolhunt-api to be healthy (0/1 replicas healthy)',
    );
    assert.equal(task(r.tasks, 'deploy:toolhunt-cleanup').state, 'skipped');
  });

  it("bounds all of a deployment's waiting by its own timeout, counted from its start", async () => {
    const r = await run(
      TOOLHUNT,
      { builds: { 'toolhunt-api': { durationMs: 3_500 } }, jobs: { 'toolhunt-api': { neverHealthy: true } } },
      { waitTimeoutMs: 60_000 },
      { waitTimeoutMs: 5_000 },
    );
    const api = task(r.tasks, 'deploy:toolhunt-api');
    assert.equal(api.state, 'failed');
    assert.equal(
      api.reason,
      'timed out after 5s waiting for toolhunt-api to be healthy (0/1 replicas healthy)',
    );
    // The 3.5 s build counts (seen ending by ~3.8 s, so the job runs before the deadline): the wait gives up
    // 5 s after the deployment started, not 5 s after the upsert.
    const started = Math.min(...[...r.tasks.values()].map((t) => ms(t.startedAt)).filter(Number.isFinite));
    const waited = ms(api.finishedAt) - started;
    assert.ok(waited >= 5_000 && waited < 6_000, `failed ${waited} ms after the start`);
  });

  it('fails a job the runtime rejects with its message, without retrying', async () => {
    const r = await run([{ name: 'web', health: false }], { jobs: { web: { rejectWith: 'Ayayayay!' } } });
    assert.equal(r.state, 'failed');
    assert.equal(task(r.tasks, 'deploy:web').reason, 'Failed to deploy job: Bad request (400): Ayayayay!');
    assert.equal(r.runtime.count('upsertJob'), 1);
  });

  it("keeps builds-api's quota full without going over it, saying how full it is", async () => {
    const specs: ComponentSpec[] = Array.from({ length: 4 }, (_, i) => ({ name: `q${i}`, health: false }));
    const r = await run(specs, { buildMs: 40, buildQuota: 2 });
    assert.equal(r.state, 'successful', taskTable([...r.tasks.values()]));
    // The quota was read before starting: no start was refused.
    assert.equal(r.runtime.count('startBuild'), 4);
    const events = await store.listEvents(r.id);
    assert.ok(
      events.some((e) => e.state === 'waiting' && e.reason === 'waiting for a build slot (2/2 in use)'),
      events.map((e) => `${e.taskId} ${e.state} ${e.reason}`).join('\n'),
    );
  });

  it("treats builds-api's 409 as back-pressure when its quota count lags", async () => {
    /** A quota endpoint that does not count running builds yet: starts beyond the limit get the 409. */
    class LaggingQuota extends FakeRuntime {
      override async buildQuota(tool: string): Promise<BuildQuota> {
        const quota = await super.buildQuota(tool);
        return { ...quota, used: 0 };
      }
    }
    const clock = new ManualClock();
    const runtime = new LaggingQuota({ buildMs: 40, buildQuota: 2, now: () => clock.now() });
    const specs: ComponentSpec[] = Array.from({ length: 4 }, (_, i) => ({ name: `l${i}`, health: false }));
    const tool = newTool();
    const executor = new Executor({ store, runtime, clock });
    const deployment = await storeDeployment(store, tool, specs, { createdAt: clock.now() });
    const final = await driveWithClock(executor, store, deployment, clock);
    assert.equal(final.state, 'successful', taskTable(await store.listTasks(deployment.id)));
    assert.ok(runtime.count('startBuild') > 4, 'some starts were refused with a 409');
    const images = runtime.inspect(tool).builds.map((b) => b.imageName);
    assert.equal(images.length, 4, 'each image built once');
    const events = await store.listEvents(deployment.id);
    assert.ok(
      events.some(
        (e) => e.state === 'waiting' && /^waiting for a build slot \(builds-api: /.test(e.reason ?? ''),
      ),
    );
  });

  it('cancels mid-build through the worker loop: running builds cancelled, every task in a defined state', async () => {
    // Real time: the worker loop, `notify` and a cancel flagged by the API, as in production.
    const runtime = new FakeRuntime({ buildMs: 5_000 });
    const tool = newTool();
    const executor = new Executor({ store, runtime, tick: { minMs: 5, maxMs: 20 } });
    executors.push(executor);
    await executor.start();
    const deployment = await storeDeployment(store, tool, TOOLHUNT);
    executor.notify(deployment.id);
    await waitForTasks(
      store,
      deployment.id,
      (ts) => ts.filter((t) => t.kind === 'build' && t.externalId).length === 2,
    );
    await store.updateDeployment(deployment.id, { state: 'cancelling' }, ['pending', 'running']);
    executor.notify(deployment.id);
    const final = await waitUntilFinal(store, tool, deployment.id);
    await executor.stop();
    assert.equal(final.state, 'cancelled');
    assert.equal(final.longStatus, 'Deployment was cancelled');
    const tasks = byId(await store.listTasks(deployment.id));
    assert.equal(task(tasks, 'build:toolhunt-api').state, 'cancelled');
    assert.equal(task(tasks, 'build:toolhunt-cleanup').state, 'cancelled');
    for (const id of ['deploy:toolhunt-api', 'deploy:toolhunt-cleanup', 'deploy:toolhunt-flower']) {
      assert.equal(task(tasks, id).state, 'skipped');
      assert.equal(task(tasks, id).reason, 'The deployment was cancelled');
    }
    assert.equal(runtime.count('cancelBuild'), 2);
    assert.equal(runtime.count('upsertJob'), 0);
    const snapshot = runtime.inspect(tool);
    assert.deepEqual(
      snapshot.builds.map((b) => b.state),
      ['cancelled', 'cancelled'],
    );
  });

  it('completes or fails with a reason under 20% injected faults, never hangs', async () => {
    for (const seed of [1, 2, 3]) {
      const specs: ComponentSpec[] = [
        ...TOOLHUNT,
        { name: 'w1', health: false },
        { name: 'w2', waitFor: ['w1'] },
      ];
      const r = await run(
        specs,
        { seed, buildMs: 10, faults: { errorRate: 0.2, lostResponseRate: 0.1 } },
        { maxAttempts: 5 },
      );
      const tasks = [...r.tasks.values()];
      assert.ok(['successful', 'failed'].includes(r.state), `seed ${seed}: ${r.state}`);
      for (const t of tasks)
        assert.ok(['succeeded', 'failed', 'skipped'].includes(t.state), `seed ${seed}: ${t.id} ${t.state}`);
      if (r.state === 'failed')
        assert.ok(
          tasks.some((t) => t.state === 'failed' && t.reason),
          taskTable(tasks),
        );
      // A lost answer never made a second build of the same image.
      const images = r.runtime.inspect(r.tool).builds.map((b) => b.imageName);
      assert.equal(new Set(images).size, images.length, `seed ${seed}: builds ${images.join(', ')}`);
    }
  });
});
