/**
 * Exactly-once effects (real SQLite store, fake runtime, a clock moved by hand: no real-time sleep). A job
 * upsert whose answer is lost, or whose executor is killed between sending it and storing its effect, is
 * looked at before it is sent again, and a job this deployment created or updated is never restarted because
 * of it; a planned restart is sent once even when its answer is lost.
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
  TOOLHUNT,
  byId,
  configFor,
  driveWithClock,
  storeDeployment,
  taskTable,
  type ComponentSpec,
  fakeOnManualClock,
} from '../../support/executor-kit.js';
import { isApplied } from '../../../src/execute/task-record.js';

let store: KyselyStore;
useTestStore('sqlite', (opened) => (store = opened));

let counter = 0;
const newTool = (): string => `once${++counter}`;

function setup(fake: FakeRuntimeOptions = {}): { clock: ManualClock; runtime: FakeRuntime } {
  return fakeOnManualClock({ buildMs: 2_000, jobStartMs: 300, jobHealthyMs: 100, ...fake });
}

/** Deploys `specs` once (shipped defaults), then plans a second deployment with new builds of every image. */
async function deployThenRebuild(
  tool: string,
  specs: readonly ComponentSpec[],
  runtime: FakeRuntime,
  clock: ManualClock,
): Promise<{ executor: Executor; second: Awaited<ReturnType<typeof storeDeployment>> }> {
  const executor = new Executor({ store, runtime, clock, owner: `${tool}-a` });
  const first = await storeDeployment(store, tool, specs, { createdAt: clock.now() });
  assert.equal((await driveWithClock(executor, store, first, clock)).state, 'successful');
  const observed = await observeTool(
    runtime,
    tool,
    configFor(specs),
    specs.map((s) => s.name),
  );
  const second = await storeDeployment(store, tool, specs, {
    observed,
    planOptions: { forceBuild: true },
    createdAt: clock.now(),
  });
  const restarts = second.plan.tasks.filter((t) => t.operation.kind === 'upsert-job' && t.operation.restart);
  assert.ok(restarts.length > 0, 'the second plan restarts onto the rebuilt images');
  return { executor, second };
}

describe('Executor exactly-once effects', () => {
  it('does not restart a job it created when the upsert was applied but its answer was lost', async () => {
    const { clock, runtime } = setup();
    runtime.failNext('upsertJob', 'lost-response', 'api');
    const tool = newTool();
    const executor = new Executor({ store, runtime, clock });
    const d = await storeDeployment(store, tool, [{ name: 'api' }], { createdAt: clock.now() });
    const final = await driveWithClock(executor, store, d, clock);
    const tasks = await store.listTasks(d.id);
    assert.equal(final.state, 'successful', taskTable(tasks));
    assert.equal(runtime.count('restartJob'), 0, 'no restart');
    // The retry looked first: the job had the spec and image, so the upsert was not sent again.
    assert.equal(runtime.count('upsertJob', 'api'), 1);
    const api = byId(tasks).get('deploy:api');
    assert.equal(api?.reason, 'created or updated job api');
  });

  it('sends the upsert again when the failed attempt did nothing, still without a restart', async () => {
    const { clock, runtime } = setup();
    runtime.failNext('upsertJob', 'unavailable', 'api');
    const tool = newTool();
    const executor = new Executor({ store, runtime, clock });
    const d = await storeDeployment(store, tool, [{ name: 'api' }], { createdAt: clock.now() });
    assert.equal((await driveWithClock(executor, store, d, clock)).state, 'successful');
    assert.equal(runtime.count('upsertJob', 'api'), 2);
    assert.equal(runtime.count('restartJob'), 0);
  });

  it('does not restart a job it created when killed between sending the upsert and storing its effect', async () => {
    const { clock, runtime } = setup();
    const tool = newTool();
    const owner = `${tool}-replica`;
    const first = new Executor({ store, runtime, clock, owner });
    const upsert = runtime.upsertJob.bind(runtime);
    runtime.upsertJob = async (t, spec, options) => {
      const change = await upsert(t, spec, options);
      if (spec.name === 'toolhunt-api') first.abandon(); // dies before the effect is stored
      return change;
    };
    const d = await storeDeployment(store, tool, TOOLHUNT, { createdAt: clock.now() });
    await assert.rejects(driveWithClock(first, store, d, clock), /killed/);
    runtime.upsertJob = upsert;
    const stored = byId(await store.listTasks(d.id)).get('deploy:toolhunt-api');
    assert.equal(stored?.state, 'running');
    assert.equal(stored && isApplied(stored), false, 'the effect was never stored');
    clock.advance(5_000); // the restarted server
    const second = new Executor({ store, runtime, clock, owner });
    const final = await driveWithClock(second, store, d, clock);
    assert.equal(final.state, 'successful', taskTable(await store.listTasks(d.id)));
    assert.equal(runtime.count('restartJob'), 0, 'no restart');
    assert.equal(runtime.count('upsertJob', 'toolhunt-api'), 1);
  });

  it('restarts onto a rebuilt image once when the plan says so, even if the upsert answer was lost', async () => {
    const { clock, runtime } = setup();
    const tool = newTool();
    const specs: ComponentSpec[] = [{ name: 'api' }];
    const { executor, second } = await deployThenRebuild(tool, specs, runtime, clock);
    runtime.failNext('upsertJob', 'lost-response', 'api');
    assert.equal((await driveWithClock(executor, store, second, clock)).state, 'successful');
    assert.equal(runtime.count('restartJob', 'api'), 1);
    assert.equal(byId(await store.listTasks(second.id)).get('deploy:api')?.reason, 'restarted job api');
  });

  it('sends a restart once when its answer is lost (the job is seen restarting)', async () => {
    const { clock, runtime } = setup();
    const tool = newTool();
    const { executor, second } = await deployThenRebuild(tool, [{ name: 'api' }], runtime, clock);
    runtime.failNext('restartJob', 'lost-response', 'api');
    assert.equal((await driveWithClock(executor, store, second, clock)).state, 'successful');
    assert.equal(runtime.count('restartJob', 'api'), 1);
  });

  it('never restarts a job it created under injected faults and lost answers', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const { clock, runtime } = setup({ seed, faults: { errorRate: 0.35, lostResponseRate: 0.2 } });
      const tool = newTool();
      const specs: ComponentSpec[] = Array.from({ length: 10 }, (_, i) => ({
        name: `c${i}`,
        ...(i > 0 ? { waitFor: [`c${i - 1}`] } : {}),
      }));
      const executor = new Executor({ store, runtime, clock, maxAttempts: 20 });
      const d = await storeDeployment(store, tool, specs, { createdAt: clock.now() });
      const final = await driveWithClock(executor, store, d, clock);
      const tasks = await store.listTasks(d.id);
      assert.ok(final.longStatus, `seed ${seed}: ends with a reason`);
      assert.equal(final.state, 'successful', `seed ${seed}:\n${taskTable(tasks)}`);
      assert.equal(runtime.count('restartJob'), 0, `seed ${seed}: no restart`);
      const images = runtime.inspect(tool).builds.map((b) => b.imageName);
      assert.equal(new Set(images).size, images.length, `seed ${seed}: no duplicate build`);
    }
  });
});
