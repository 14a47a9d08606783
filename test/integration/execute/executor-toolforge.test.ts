/**
 * The executor against the Toolforge runtime over HTTP, on the builds-api + jobs-api simulator: the toolhunt
 * example end to end, and 20 % injected 5xx plus slow responses (completes or fails with a reason, never hangs).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resultOf } from '../../../src/execute/task-record.js';
import { Executor } from '../../../src/execute/executor.js';
import { ToolforgeRuntime } from '../../../src/runtimes/toolforge/toolforge-runtime.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../src/simulator/simulator.js';
import { useTestStore } from '../../support/stores.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import {
  TOOLHUNT,
  byId,
  storeDeployment,
  taskTable,
  waitUntilFinal,
  type ComponentSpec,
} from '../../support/executor-kit.js';

let store: KyselyStore;
useTestStore('sqlite', (opened) => (store = opened));

async function deployOnSimulator(
  tool: string,
  specs: readonly ComponentSpec[],
  options: SimulatorOptions,
  timeoutMs = 5_000,
  unknownHealthStableForMs = 60,
) {
  const sim: Simulator = await startSimulator({
    builds: { durationMs: 60, resolveRefs: 'fake' },
    jobs: { startMs: 20 },
    ...options,
  });
  const runtime = new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs });
  const executor = new Executor({
    store,
    runtime,
    tick: { minMs: 10, maxMs: 60 },
    stableForMs: 20,
    unknownHealthStableForMs,
    retryBaseMs: 10,
    callTimeoutMs: timeoutMs * 4,
  });
  try {
    await executor.start();
    const deployment = await storeDeployment(store, tool, specs);
    executor.notify(deployment.id);
    const final = await waitUntilFinal(store, tool, deployment.id, 25_000);
    await executor.stop();
    const events = await store.listEvents(deployment.id);
    return { final, tasks: await store.listTasks(deployment.id), events, sim, stats: sim.stats() };
  } finally {
    await executor.stop();
    await runtime.close();
    await sim.close();
  }
}

describe('Executor on the Toolforge simulator', () => {
  it('deploys toolhunt over HTTP with batched polling', async () => {
    const { final, tasks, stats } = await deployOnSimulator('toolhunt', TOOLHUNT, {});
    assert.equal(final.state, 'successful', taskTable(tasks));
    const build = byId(tasks).get('build:toolhunt-api');
    assert.ok(build);
    assert.match(resultOf(build).image ?? '', /tool-toolhunt\/toolhunt-api:latest/);
    assert.equal(stats.routes['POST /builds/v1/tool/:toolname/builds'], 2);
    assert.equal(stats.routes['PATCH /jobs/v1/tool/:tool_name/jobs'], 3);
    // Never one GET per build: builds are read from the list (and each list only while something needs it).
    assert.equal(stats.routes['GET /builds/v1/tool/:toolname/builds/:id'] ?? 0, 0);
    assert.ok((stats.routes['GET /builds/v1/tool/:toolname/builds'] ?? 0) > 0);
    assert.ok((stats.routes['GET /jobs/v1/tool/:tool_name/jobs'] ?? 0) > 0);
  });

  it('releases a health-checked job (jobs-api reports no health) after the no-restart window, saying so', async () => {
    const { final, tasks, events } = await deployOnSimulator('blind', TOOLHUNT, {}, 5_000, 400);
    assert.equal(final.state, 'successful', taskTable(tasks));
    const waits = events.filter((e) => e.taskId === 'deploy:toolhunt-api');
    assert.ok(
      waits.some((e) =>
        e.reason?.includes('the runtime reports no health, so ready after 400ms without a restart'),
      ),
      waits.map((e) => e.reason).join('\n'),
    );
    // toolhunt-api has a health check: it was not ready before running 400 ms without a restart.
    const api = byId(tasks).get('deploy:toolhunt-api');
    assert.ok(Date.parse(api?.finishedAt ?? '') - Date.parse(api?.startedAt ?? '') >= 400, taskTable(tasks));
  });

  it('completes or fails with a reason under 20% injected 5xx and slow responses', async () => {
    const specs: ComponentSpec[] = [
      ...TOOLHUNT,
      { name: 'w1', health: false },
      { name: 'w2', waitFor: ['w1'] },
    ];
    for (const seed of [11, 12]) {
      const { final, tasks, stats, sim } = await deployOnSimulator(
        `faulty${seed}`,
        specs,
        {
          seed,
          faults: { errorRate: 0.2, slowRate: 0.05, slowMs: 1_000 },
        },
        300,
      );
      assert.ok(['successful', 'failed'].includes(final.state), `seed ${seed}: ${final.state}`);
      for (const t of tasks)
        assert.ok(['succeeded', 'failed', 'skipped'].includes(t.state), `${t.id}: ${t.state}`);
      if (final.state === 'failed')
        assert.ok(
          tasks.some((t) => t.state === 'failed' && t.reason),
          taskTable(tasks),
        );
      assert.ok(stats.injectedErrors > 0, 'faults were injected');
      // Never a second build of one image, although answers were lost and retried.
      const images = sim.state.toolBuilds(`faulty${seed}`).map((b) => String(b.parameters.image_name));
      assert.equal(new Set(images).size, images.length, `seed ${seed}: ${images.join(', ')}`);
    }
  });
});
