/**
 * What the executor does with what it expects (shipped defaults, fake runtime, manual clock): builds expected
 * to take longest start first; a build is looked at by what is expected of it, a job waiting out a window the
 * runtime dates is looked at a window apart, and neither costs the deployment time: the looks that matter are
 * made when the build ends or the window does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Executor } from '../../../src/execute/executor.js';
import { FakeRuntime, type FakeRuntimeOptions } from '../../../src/runtimes/fake/fake-runtime.js';
import { useTestStore } from '../../support/stores.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import { observeTool } from '../../../src/status/observe.js';
import {
  ManualClock,
  byId,
  configFor,
  driveWithClock,
  storeDeployment,
  taskTable,
  type ComponentSpec,
  fakeOnManualClock,
  ms,
} from '../../support/executor-kit.js';
import type { DeploymentTask } from '../../../src/model/deployment.js';
import { resultOf } from '../../../src/execute/task-record.js';

let store: KyselyStore;
useTestStore('sqlite', (opened) => (store = opened));

let counter = 0;
const newTool = (): string => `pacing${++counter}`;

function setup(fake: FakeRuntimeOptions): { clock: ManualClock; runtime: FakeRuntime; executor: Executor } {
  const { clock, runtime } = fakeOnManualClock(fake);
  return { clock, runtime, executor: new Executor({ store, runtime, clock }) };
}

/** `observe` calls the fake saw in [from, to] (ms): each is one look at the runtime. */
function looks(runtime: FakeRuntime, tool: string, from: number, to: number): number {
  const at = runtime.calls
    .filter((c) => c.method === 'observe' && c.tool === tool && c.at >= from && c.at <= to)
    .map((c) => c.at - from);
  return at.length;
}

async function deploy(
  env: ReturnType<typeof setup>,
  tool: string,
  specs: readonly ComponentSpec[],
  options: Parameters<typeof storeDeployment>[3] = {},
): Promise<Map<string, DeploymentTask>> {
  const d = await storeDeployment(store, tool, specs, { createdAt: env.clock.now(), ...options });
  const final = await driveWithClock(env.executor, store, d, env.clock);
  const tasks = await store.listTasks(d.id);
  assert.equal(final.state, 'successful', taskTable(tasks));
  return byId(tasks);
}

describe('Executor build order (shipped defaults, manual clock)', () => {
  it('starts the builds expected to take longest first when the quota cannot take them all; config order without history', async () => {
    const env = setup({
      buildQuota: 2,
      builds: { a: { durationMs: 10_000 }, b: { durationMs: 20_000 }, c: { durationMs: 40_000 } },
      jobStartMs: 100,
      jobHealthyMs: 100,
    });
    const tool = newTool();
    const specs = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    const startsSince = (at: number): (string | undefined)[] =>
      env.runtime.calls.filter((c) => c.method === 'startBuild' && c.at >= at).map((c) => c.target);
    const firstAt = env.clock.now();
    const first = await deploy(env, tool, specs);
    assert.deepEqual(startsSince(firstAt), ['a', 'b', 'c'], 'a new tool: config order');
    // a, b first; c only when a ends at 10 s: 50 s of builds where 40 s would do.
    assert.ok(ms(first.get('build:c')?.finishedAt) - firstAt >= 50_000);

    const observed = await observeTool(env.runtime, tool, configFor(specs), ['a', 'b', 'c']);
    const secondAt = env.clock.now();
    const second = await deploy(env, tool, specs, { observed, planOptions: { forceBuild: true } });
    assert.deepEqual(startsSince(secondAt), ['c', 'b', 'a'], 'longest expected first');
    // c alongside b then a: the builds are done when c is, 40 s (plus the looks).
    const builtBy = Math.max(...['a', 'b', 'c'].map((c) => ms(second.get(`build:${c}`)?.finishedAt)));
    assert.ok(builtBy - secondAt <= 41_000, `builds done after ${builtBy - secondAt} ms`);
  });
});

describe('Executor pacing (shipped defaults, manual clock)', () => {
  it("looks at a tool's first 30 s build at most every 3 s (more often while young), and sees it end within 3 s", async () => {
    const env = setup({ buildMs: 30_000, jobStartMs: 100, jobHealthyMs: 100 });
    const tool = newTool();
    const tasks = await deploy(env, tool, [{ name: 'api' }]);
    const [build] = env.runtime.inspect(tool).builds;
    const end = ms(build?.finishedAt);
    const seenAt = ms(tasks.get('build:api')?.finishedAt);
    assert.ok(seenAt - end <= 3_000, `seen ${seenAt - end} ms after it ended`);
    const n = looks(env.runtime, tool, ms(build?.startedAt), seenAt);
    // A quarter older each time, then every 3 s (upstream looks every 2 s); one look a second (the old pacing) made 30.
    assert.ok(n <= 20, `${n} looks during a 30 s build`);
  });

  it('looks at a rebuild of an image when its last build says it ends, and sees it end at once', async () => {
    const env = setup({ buildMs: 30_000, jobStartMs: 100, jobHealthyMs: 100 });
    const tool = newTool();
    const specs = [{ name: 'api' }];
    await deploy(env, tool, specs);
    const observed = await observeTool(env.runtime, tool, configFor(specs), ['api']);
    const tasks = await deploy(env, tool, specs, { observed, planOptions: { forceBuild: true } });
    const rebuilt = env.runtime.inspect(tool).builds.find((b) => b.id === tasks.get('build:api')?.externalId);
    const end = ms(rebuilt?.finishedAt);
    const seenAt = ms(tasks.get('build:api')?.finishedAt);
    assert.ok(seenAt - end <= 600, `seen ${seenAt - end} ms after it ended`);
    // One look learns the image's history, the next is when it should end.
    const n = looks(env.runtime, tool, ms(rebuilt?.startedAt) + 1, seenAt);
    assert.ok(n <= 2, `${n} looks during a 30 s build whose image built in 30 s before`);
  });

  it('looks at a job waiting out its stability window a window apart, and releases it when the window ends', async () => {
    // No health check: ready after running 2 s without a restart; the fake dates the run by its uptime.
    const env = setup({ buildMs: 1_000, jobStartMs: 8_000 });
    const tool = newTool();
    const tasks = await deploy(env, tool, [{ name: 'worker', health: false }]);
    const task = tasks.get('deploy:worker');
    const applied = ms(resultOf(task ?? ({} as DeploymentTask)).appliedAt);
    const ready = ms(task?.finishedAt);
    assert.ok(ready - applied <= 8_000 + 2_000 + 100, `ready ${ready - applied} ms after the upsert`);
    const n = looks(env.runtime, tool, applied + 1, ready);
    // Every 1.8 s until it runs, then when the window ends; a look every 0.25-1 s (the old pacing) would be 12.
    assert.ok(n <= 6, `${n} looks while the job came up`);
  });

  it('looks at a job starting as fast as the ones before once, when it should be ready', async () => {
    const env = setup({ buildMs: 1_000, jobStartMs: 8_000 });
    const tool = newTool();
    const tasks = await deploy(env, tool, [
      { name: 'a', health: false },
      { name: 'b', health: false, waitFor: ['a'] },
    ]);
    const b = tasks.get('deploy:b');
    const applied = ms(resultOf(b ?? ({} as DeploymentTask)).appliedAt);
    const ready = ms(b?.finishedAt);
    assert.ok(ready - applied <= 8_000 + 2_000 + 100, `ready ${ready - applied} ms after the upsert`);
    assert.equal(looks(env.runtime, tool, applied + 1, ready), 1, taskTable([...tasks.values()]));
  });

  it('releases jobs whose windows end within a tenth of their wait of each other with one look', async () => {
    // Applied together, running 7.0 s, 7.4 s and 8 s later: their 2 s windows end at 9.0 s, 9.4 s and 10 s.
    const env = setup({
      buildMs: 1_000,
      jobStartMs: 8_000,
      jobs: { a: { startMs: 8_000 }, b: { startMs: 7_400 }, c: { startMs: 7_000 } },
    });
    const tool = newTool();
    const tasks = await deploy(env, tool, [
      { name: 'a', health: false },
      { name: 'b', health: false, reuse: 'a' },
      { name: 'c', health: false, reuse: 'a' },
    ]);
    const table = taskTable([...tasks.values()]);
    const a = tasks.get('deploy:a');
    const b = tasks.get('deploy:b');
    const applied = ms(resultOf(b ?? ({} as DeploymentTask)).appliedAt);
    // b's window ends 0.6 s before a's: b waits for a's look (at most a tenth of its 9.4 s wait) instead of
    // costing a call of its own.
    assert.equal(ms(b?.finishedAt), ms(a?.finishedAt), table);
    assert.ok(ms(b?.finishedAt) - (applied + 7_400 + 2_000) <= 940 + 100, table);
    assert.ok(looks(env.runtime, tool, applied + 1, ms(a?.finishedAt)) <= 6, table);
  });
});
