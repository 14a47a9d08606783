/**
 * The executor asks `observe` only for the lists its waiting tasks need: the builds list while builds run, the
 * jobs list while jobs come up (fake runtime, real SQLite store).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Executor } from '../../../src/execute/executor.js';
import { FakeRuntime } from '../../../src/runtimes/fake/fake-runtime.js';
import type { ObserveOptions, RuntimeSnapshot, SnapshotPart } from '../../../src/runtimes/runtime.js';
import { useTestStore } from '../../support/stores.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import { storeDeployment, taskTable, waitUntilFinal } from '../../support/executor-kit.js';
import { ToolforgeRuntime } from '../../../src/runtimes/toolforge/toolforge-runtime.js';
import { startSimulator } from '../../../src/simulator/simulator.js';

/** Records, for every observe, the parts asked for and how many job upserts had been made by then. */
class RecordingRuntime extends FakeRuntime {
  readonly asked: { parts: readonly SnapshotPart[]; upserts: number }[] = [];
  override observe(tool: string, options?: ObserveOptions): Promise<RuntimeSnapshot> {
    this.asked.push({ parts: options?.parts ?? ['builds', 'jobs'], upserts: this.count('upsertJob') });
    return super.observe(tool, options);
  }
}

let store: KyselyStore;
useTestStore('sqlite', (opened) => (store = opened));

describe('Executor observe parts', () => {
  it('reads the builds list while building and the jobs list while the job comes up', async () => {
    const runtime = new RecordingRuntime({ buildMs: 40 });
    const executor = new Executor({
      store,
      runtime,
      tick: { minMs: 5, maxMs: 40 },
      stableForMs: 15,
      retryBaseMs: 5,
    });
    try {
      await executor.start();
      const deployment = await storeDeployment(store, 'parts', [{ name: 'api' }]);
      executor.notify(deployment.id);
      const final = await waitUntilFinal(store, 'parts', deployment.id, 15_000);
      assert.equal(final.state, 'successful', taskTable(await store.listTasks(deployment.id)));
    } finally {
      await executor.stop();
    }
    const before = runtime.asked.filter((a) => a.upserts === 0);
    const afterUpsert = runtime.asked.filter((a) => a.upserts > 0);
    // The deploy waits for its own build to complete: nothing needs the jobs list until the job is upserted.
    assert.ok(before.length > 0);
    for (const a of before) assert.deepEqual(a.parts, ['builds']);
    // Once the only build is done, the readiness check needs the jobs list alone.
    assert.ok(afterUpsert.length > 0);
    for (const a of afterUpsert) assert.deepEqual(a.parts, ['jobs']);
  });

  it('ToolforgeRuntime fetches only the lists asked for and says which', async () => {
    const sim = await startSimulator({ builds: { durationMs: 60, resolveRefs: 'fake' } });
    const runtime = new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs: 5_000 });
    try {
      const routes = (): Record<string, number | undefined> => sim.stats().routes;
      const buildsRoute = 'GET /builds/v1/tool/:toolname/builds';
      const jobsRoute = 'GET /jobs/v1/tool/:tool_name/jobs';
      const onlyBuilds = await runtime.observe('parts', { parts: ['builds'] });
      assert.deepEqual(onlyBuilds.fetched, { builds: true, jobs: false });
      assert.deepEqual([routes()[buildsRoute] ?? 0, routes()[jobsRoute] ?? 0], [1, 0]);
      const onlyJobs = await runtime.observe('parts', { parts: ['jobs'] });
      assert.deepEqual(onlyJobs.fetched, { builds: false, jobs: true });
      assert.deepEqual([routes()[buildsRoute] ?? 0, routes()[jobsRoute] ?? 0], [1, 1]);
      // The default is both lists, and a full snapshot needs no `fetched`.
      const both = await runtime.observe('parts');
      assert.equal(both.fetched, undefined);
      assert.deepEqual([routes()[buildsRoute] ?? 0, routes()[jobsRoute] ?? 0], [2, 2]);
    } finally {
      await runtime.close();
      await sim.close();
    }
  });
});
