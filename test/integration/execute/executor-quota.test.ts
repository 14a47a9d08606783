/**
 * How often the executor reads builds-api's quota, on the simulator over HTTP: while builds of its own run it
 * lists the tool's builds anyway, and those lists keep the count of running builds fresh.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Executor } from '../../../src/execute/executor.js';
import { ToolforgeRuntime } from '../../../src/runtimes/toolforge/toolforge-runtime.js';
import { startSimulator } from '../../../src/simulator/simulator.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import { useTestStore } from '../../support/stores.js';
import {
  storeDeployment,
  taskTable,
  waitUntilFinal,
  type ComponentSpec,
} from '../../support/executor-kit.js';

let store: KyselyStore;
useTestStore('sqlite', (opened) => (store = opened));

describe('Executor and the build quota', () => {
  it('reads the quota once while its own builds run, starting the waiting builds as lists show slots free', async () => {
    const sim = await startSimulator({
      builds: { durationMs: 300, resolveRefs: 'fake', quota: 2 },
      jobs: { startMs: 10 },
    });
    // A count of running builds is trusted for 50 ms only: without the lists, every step would read the quota.
    const runtime = new ToolforgeRuntime({
      apiUrl: sim.url,
      timeoutMs: 5_000,
      quotaCache: { usedTtlMs: 50 },
    });
    const executor = new Executor({
      store,
      runtime,
      tick: { minMs: 10, maxMs: 60 },
      stableForMs: 20,
      unknownHealthStableForMs: 20,
      retryBaseMs: 10,
    });
    try {
      await executor.start();
      const specs: ComponentSpec[] = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'].map((name) => ({
        name,
        health: false,
      }));
      const deployment = await storeDeployment(store, 'quota', specs);
      executor.notify(deployment.id);
      const final = await waitUntilFinal(store, 'quota', deployment.id, 20_000);
      const tasks = await store.listTasks(deployment.id);
      assert.equal(final.state, 'successful', taskTable(tasks));
      const routes = sim.stats().routes;
      assert.equal(routes['POST /builds/v1/tool/:toolname/builds'], 6, 'no start refused');
      assert.equal(routes['GET /builds/v1/tool/:toolname/quotas'], 1, JSON.stringify(routes));
    } finally {
      await executor.stop();
      await runtime.close();
      await sim.close();
    }
  });
});
