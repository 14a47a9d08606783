/**
 * Speed with the shipped defaults (no tuning options), measured on a manual clock with the fake runtime and
 * the real SQLite store: a health-checked job is ready when its check passes (no stability window), builds
 * keep the quota full, and timings learned for polling never include a time the server was down.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Executor } from '../../../src/execute/executor.js';
import { FakeRuntime, type FakeRuntimeOptions } from '../../../src/runtimes/fake/fake-runtime.js';
import { useTestStore } from '../../support/stores.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import {
  ManualClock,
  byId,
  driveWithClock,
  storeDeployment,
  taskTable,
  type ComponentSpec,
  fakeOnManualClock,
  ms,
} from '../../support/executor-kit.js';
import type { DeploymentTask } from '../../../src/model/deployment.js';

let store: KyselyStore;
useTestStore('sqlite', (opened) => (store = opened));

let counter = 0;
const newTool = (): string => `speed${++counter}`;

function chain(n: number, extra: Partial<ComponentSpec> = {}): ComponentSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `c${i}`,
    ...(i > 0 ? { waitFor: [`c${i - 1}`] } : {}),
    ...extra,
  }));
}

async function deploy(
  specs: readonly ComponentSpec[],
  fake: FakeRuntimeOptions,
): Promise<{ makespan: number; tasks: DeploymentTask[]; runtime: FakeRuntime; tool: string }> {
  const { clock, runtime } = fakeOnManualClock(fake);
  const executor = new Executor({ store, runtime, clock });
  const tool = newTool();
  const start = clock.now();
  const d = await storeDeployment(store, tool, specs, { createdAt: start });
  const final = await driveWithClock(executor, store, d, clock);
  const tasks = await store.listTasks(d.id);
  assert.equal(final.state, 'successful', taskTable(tasks));
  return { makespan: ms(final.finishedAt) - start, tasks, runtime, tool };
}

describe('Executor speed (shipped defaults, manual clock)', () => {
  it('deploys a chain of 6 health-checked components within 1.6 × (build + 6 × ready)', async () => {
    // 2 s builds, jobs healthy 0.4 s after their upsert: the bound is 2 + 6 × 0.4 = 4.4 s.
    const { makespan, tasks } = await deploy(chain(6), {
      buildMs: 2_000,
      jobStartMs: 200,
      jobHealthyMs: 200,
    });
    console.log(`chain of 6 health-checked: ${makespan} ms (bound 4400 ms)`);
    assert.ok(makespan <= 1.6 * 4_400, `${makespan} ms\n${taskTable(tasks)}`);
    // Released by the health check, not by a stability window.
    const hop = byId(tasks).get('deploy:c5');
    assert.ok(ms(hop?.finishedAt) - ms(hop?.startedAt) < 1_000, taskTable(tasks));
  });

  it('keeps a quota of 8 full: 30 independent 4 s builds within 1.3 × ⌈30/8⌉ × 4 s', async () => {
    const specs = Array.from({ length: 30 }, (_, i) => ({ name: `w${i}` }));
    const { makespan, tasks, runtime, tool } = await deploy(specs, {
      buildMs: 4_000,
      buildQuota: 8,
      jobStartMs: 100,
      jobHealthyMs: 100,
    });
    console.log(`wide-30, quota 8, 4 s builds: ${makespan} ms (bound 16000 ms)`);
    assert.ok(makespan <= 1.3 * 16_000, `${makespan} ms\n${taskTable(tasks)}`);
    assert.equal(runtime.count('startBuild'), 30, 'no start refused: the quota was read first');
    const builds = runtime.inspect(tool).builds.map((b) => [ms(b.startedAt), ms(b.finishedAt)] as const);
    const peak = Math.max(...builds.map(([s]) => builds.filter(([a, b]) => a <= s && s < b).length));
    assert.ok(peak <= 8, `peak ${peak} builds`);
  });

  it('a job without a health check is ready after running 2 s without a restart, saying so', async () => {
    const { tasks } = await deploy([{ name: 'plain', health: false }], { buildMs: 1_000, jobStartMs: 100 });
    const plain = byId(tasks).get('deploy:plain');
    const took = ms(plain?.finishedAt) - ms(plain?.startedAt);
    assert.ok(took >= 2_000 && took < 3_000, `${took} ms`);
    const events = await store.listEvents(plain?.deploymentId ?? '');
    assert.ok(
      events.some(
        (e) =>
          e.reason ===
          'waiting for plain to be healthy: running; no health check, so ready after 2s without a restart',
      ),
      events.map((e) => e.reason).join('\n'),
    );
  });

  it('after a kill and a restart 60 s later, each remaining hop takes what its job needs plus at most 1 s', async () => {
    const clock = new ManualClock();
    // Jobs healthy 4 s after their upsert.
    const runtime = new FakeRuntime({
      buildMs: 1_000,
      jobStartMs: 2_000,
      jobHealthyMs: 2_000,
      now: () => clock.now(),
    });
    const tool = newTool();
    const owner = `${tool}-replica`;
    const first = new Executor({ store, runtime, clock, owner });
    const d = await storeDeployment(store, tool, chain(5), { createdAt: clock.now() });
    await driveWithClock(first, store, d, clock, {
      // Killed while c2 comes up: c0 and c1 taught this process a 4 s ready time.
      stopWhen: (ts) =>
        byId(ts).get('deploy:c1')?.state === 'succeeded' && byId(ts).get('deploy:c2')?.state === 'running',
    });
    first.abandon();
    clock.advance(60_000);
    const second = new Executor({ store, runtime, clock, owner });
    const final = await driveWithClock(second, store, d, clock);
    const tasks = byId(await store.listTasks(d.id));
    assert.equal(final.state, 'successful', taskTable([...tasks.values()]));
    for (const id of ['deploy:c3', 'deploy:c4']) {
      const t = tasks.get(id);
      const hop = ms(t?.finishedAt) - ms(t?.startedAt);
      console.log(`${id} after the restart: ${hop} ms (job needs 4000 ms)`);
      assert.ok(hop <= 4_000 + 1_000, `${id}: ${hop} ms\n${taskTable([...tasks.values()])}`);
    }
  });
});
