/**
 * Durability: an executor dropped mid-deployment (as if killed) and a new one on the same store finishes the
 * work without starting any build twice or redoing finished tasks (driven by `advance` on a manual clock);
 * two replicas on one PostgreSQL database never work on the same deployment at once, and a dead replica's
 * deployment is taken over after its lease (real time: leases are the database's).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Executor, type ExecutorOptions } from '../../../src/execute/executor.js';
import { FakeRuntime } from '../../../src/runtimes/fake/fake-runtime.js';
import { openTestStore, STORES, type StoreKindName } from '../../support/stores.js';
import { createStore } from '../../../src/store/create-store.js';
import type { Store } from '../../../src/store/store.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import {
  ManualClock,
  TOOLHUNT,
  byId,
  driveWithClock,
  storeDeployment,
  taskTable,
  waitForTasks,
  waitUntilFinal,
} from '../../support/executor-kit.js';
import { isApplied } from '../../../src/execute/task-record.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function testStore(kind: StoreKindName): Promise<{ store: KyselyStore; url: string }> {
  const { store, database, dispose } = await openTestStore(kind);
  cleanups.push(dispose);
  return { store, url: database.url };
}

function executor(
  store: Store,
  runtime: FakeRuntime,
  owner: string,
  extra: Partial<ExecutorOptions> = {},
): Executor {
  const e = new Executor({
    store,
    runtime,
    owner,
    tick: { minMs: 5, maxMs: 30 },
    stableForMs: 10,
    retryBaseMs: 5,
    leaseTtlMs: 300,
    ...extra,
  });
  cleanups.push(async () => (e.active.length > 0 ? e.stop() : undefined));
  return e;
}

function assertEachBuiltOnce(runtime: FakeRuntime, tool: string): void {
  const images = runtime.inspect(tool).builds.map((b) => b.imageName);
  assert.deepEqual([...images].sort(), [...new Set(images)].sort(), `builds: ${images.join(', ')}`);
  assert.equal(runtime.count('startBuild'), images.length);
}

describe('Executor durability (SQLite, manual clock)', () => {
  /** A server process: an executor on the shared store, runtime and clock, with the SQLite file's owner id. */
  const server = (store: Store, runtime: FakeRuntime, clock: ManualClock): Executor =>
    new Executor({ store, runtime, clock, owner: 'sqlite:test.db' });

  it('resumes after being killed mid-build: builds re-attached, none started twice', async () => {
    const { store } = await testStore('sqlite');
    const clock = new ManualClock();
    const runtime = new FakeRuntime({ buildMs: 3_000, now: () => clock.now() });
    const first = server(store, runtime, clock);
    const d = await storeDeployment(store, 'resume', TOOLHUNT, { createdAt: clock.now() });
    await driveWithClock(first, store, d, clock, {
      stopWhen: (ts) => ts.filter((t) => t.kind === 'build' && t.externalId).length === 2,
    });
    first.abandon();
    clock.advance(1_000);
    const final = await driveWithClock(server(store, runtime, clock), store, d, clock);
    assert.equal(final.state, 'successful', taskTable(await store.listTasks(d.id)));
    assertEachBuiltOnce(runtime, 'resume');
    assert.equal(runtime.count('upsertJob'), 3);
  });

  it('re-attaches a build whose id was never persisted (killed right after builds-api answered)', async () => {
    const { store } = await testStore('sqlite');
    const clock = new ManualClock();
    const runtime = new FakeRuntime({ buildMs: 1_000, now: () => clock.now() });
    const first = server(store, runtime, clock);
    const startBuild = runtime.startBuild.bind(runtime);
    runtime.startBuild = async (tool, request, options) => {
      const started = await startBuild(tool, request, options);
      if (request.imageName === 'toolhunt-api') first.abandon(); // dies before persisting the id
      return started;
    };
    const d = await storeDeployment(store, 'window', TOOLHUNT, { createdAt: clock.now() });
    await assert.rejects(driveWithClock(first, store, d, clock), /killed/);
    const stored = byId(await store.listTasks(d.id)).get('build:toolhunt-api');
    assert.equal(stored?.state, 'running');
    assert.equal(stored?.externalId, undefined, 'the killed executor never wrote the id');
    runtime.startBuild = startBuild;
    clock.advance(500);
    const final = await driveWithClock(server(store, runtime, clock), store, d, clock);
    assert.equal(final.state, 'successful', taskTable(await store.listTasks(d.id)));
    assert.equal(runtime.count('startBuild', 'toolhunt-api'), 1);
    const api = byId(await store.listTasks(d.id)).get('build:toolhunt-api');
    assert.match(api?.reason ?? '', /^built /);
    assertEachBuiltOnce(runtime, 'window');
  });

  it('re-attaches a build still queued (no start time yet) whose start answer was lost, instead of starting another', async () => {
    const { store } = await testStore('sqlite');
    const clock = new ManualClock();
    const runtime = new FakeRuntime({ buildMs: 5_000, now: () => clock.now() });
    // builds-api keeps a build queued (BUILD_PENDING, `start_time: ""`) until a PipelineRun slot frees: the
    // first 3 s of each build read as pending with no start time.
    const queueMs = 3_000;
    const observe = runtime.observe.bind(runtime);
    runtime.observe = async (tool, options) => {
      const snapshot = await observe(tool, options);
      const builds = snapshot.builds.map((b) => {
        if (b.state !== 'running' || clock.now() >= Date.parse(b.startedAt ?? '') + queueMs) return b;
        const { startedAt: _queued, ...rest } = b;
        return { ...rest, state: 'pending' as const };
      });
      return { ...snapshot, builds };
    };
    const first = server(store, runtime, clock);
    runtime.failNext('startBuild', 'lost-response', 'toolhunt-api');
    const d = await storeDeployment(store, 'queued', TOOLHUNT, { createdAt: clock.now() });
    await driveWithClock(first, store, d, clock, {
      stopWhen: (ts) => /retrying after error/.test(byId(ts).get('build:toolhunt-api')?.reason ?? ''),
    });
    first.abandon();
    const listed = runtime.inspect('queued').builds.filter((b) => b.imageName === 'toolhunt-api');
    assert.equal(listed.length, 1, 'builds-api started the build whose answer was lost');
    assert.ok(clock.now() < Date.parse(listed[0]?.startedAt ?? '') + queueMs, 'and it is still queued');
    const final = await driveWithClock(server(store, runtime, clock), store, d, clock);
    assert.equal(final.state, 'successful', taskTable(await store.listTasks(d.id)));
    assert.equal(runtime.count('startBuild', 'toolhunt-api'), 1, 'never started a second build');
    const api = byId(await store.listTasks(d.id)).get('build:toolhunt-api');
    assert.equal(api?.externalId, listed[0]?.id);
    assertEachBuiltOnce(runtime, 'queued');
  });

  it('does not redo finished tasks after a restart', async () => {
    const { store } = await testStore('sqlite');
    const clock = new ManualClock();
    const runtime = new FakeRuntime({
      buildMs: 1_000,
      jobs: { 'toolhunt-flower': { startMs: 4_000 } },
      now: () => clock.now(),
    });
    const first = server(store, runtime, clock);
    const d = await storeDeployment(store, 'redo', TOOLHUNT, { createdAt: clock.now() });
    await driveWithClock(first, store, d, clock, {
      stopWhen: (ts) => ts.some((t) => t.id === 'deploy:toolhunt-flower' && isApplied(t)),
    });
    first.abandon();
    clock.advance(1_000);
    const final = await driveWithClock(server(store, runtime, clock), store, d, clock);
    assert.equal(final.state, 'successful');
    assert.equal(runtime.count('upsertJob', 'toolhunt-api'), 1);
    assert.equal(runtime.count('upsertJob', 'toolhunt-flower'), 1);
    assertEachBuiltOnce(runtime, 'redo');
  });
});

describe('Executor replicas (PostgreSQL)', { skip: !STORES.includes('postgres') }, () => {
  it('runs each deployment on one replica at a time and takes over from a dead one', async () => {
    const { store: storeA, url } = await testStore('postgres');
    const storeB = await createStore(url);
    cleanups.push(() => storeB.close());
    const runtime = new FakeRuntime({ buildMs: 400 });
    const writers: { owner: string; at: number }[] = [];
    const tracked = (store: KyselyStore, owner: string): Store =>
      new Proxy(store, {
        get(target, key) {
          if (key === 'updateTask') {
            return async (...args: Parameters<Store['updateTask']>) => {
              writers.push({ owner, at: Date.now() });
              return target.updateTask(...args);
            };
          }
          const value: unknown = Reflect.get(target, key);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    const a = executor(tracked(storeA, 'a'), runtime, 'replica-a', { leaseTtlMs: 400 });
    const b = executor(tracked(storeB, 'b'), runtime, 'replica-b', { leaseTtlMs: 400 });
    await Promise.all([a.start(), b.start()]);
    const d = await storeDeployment(storeA, 'replicas', TOOLHUNT);
    a.notify(d.id);
    b.notify(d.id);
    await waitForTasks(
      storeA,
      d.id,
      (ts) => ts.filter((t) => t.kind === 'build' && t.externalId).length === 2,
    );
    const holders = [a, b].filter((e) => e.active.includes(d.id));
    assert.equal(holders.length, 1, 'exactly one replica holds the deployment');
    const [holder] = holders;
    const other = holder === a ? b : a;
    const holderName = holder === a ? 'a' : 'b';
    holder?.abandon(); // stops heartbeating, keeps its lease until it expires
    const killedAt = Date.now();
    const final = await waitUntilFinal(storeA, 'replicas', d.id, 15_000);
    await other.stop();
    assert.equal(final.state, 'successful', taskTable(await storeA.listTasks(d.id)));
    assertEachBuiltOnce(runtime, 'replicas');
    assert.equal(runtime.count('upsertJob'), 3);
    // Before the kill only the holder wrote, after it only the other one.
    assert.ok(writers.filter((w) => w.at < killedAt).every((w) => w.owner === holderName));
    assert.ok(writers.filter((w) => w.at > killedAt + 5).every((w) => w.owner !== holderName));
    assert.ok(
      writers.some((w) => w.owner !== holderName),
      'the other replica took over',
    );
  });
});
