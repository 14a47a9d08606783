/**
 * End to end in one process: a real instance (Fastify API + executor + SQLite temp file) with the Toolforge
 * runtime talking HTTP to the builds-api + jobs-api simulator. Deployments are created with `POST /deploy` and
 * read back through the API: DAG scheduling (diamond, wide), a crash-looping dependency, a wait deadline and
 * cancel mid-build.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import type { ExecutorOptions } from '../../src/execute/executor-options.js';
import { ToolforgeRuntime } from '../../src/runtimes/toolforge/toolforge-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.js';
import {
  callApi,
  deployYaml,
  describeTasks,
  tempDir,
  waitFinal,
  waitFor,
  type DeploymentView,
} from '../support/toolforge-e2e.js';

let dir: ReturnType<typeof tempDir>;
let sim: Simulator;

// One simulator; each test uses a tool (and so image and job names) of its own, so behaviours keyed by name
// stay apart.
before(async () => {
  dir = tempDir('tfc-e2e-dag-');
  sim = await startSimulator({
    seed: 7,
    builds: {
      durationMs: 150,
      durationByImage: { 'd-slow': 3_000, 'w-slow': 3_000, 'cancel-a': 60_000, 'cancel-b': 60_000 },
    },
    jobs: {
      startMs: 30,
      crashLoopJobs: ['crashy-api'],
      // Killed by its startup probe after 300 ms of running, restarted after 100, 200, 400 ms.
      byName: { 'never-api': { neverHealthy: true, startupProbeMs: 300, backoffMs: 100 } },
    },
  });
});

after(async () => {
  await sim?.close();
  dir?.dispose();
});

type Tuning = Omit<ExecutorOptions, 'store' | 'runtime'>;

/** An instance on its own SQLite file; closed (and its runtime with it) whatever the test does. */
async function withInstance<T>(
  name: string,
  tuning: Tuning,
  fn: (i: RunningInstance) => Promise<T>,
): Promise<T> {
  const runtime = new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs: 5_000 });
  const instance = await startInstance({
    runtime,
    dataDir: join(dir.path, name),
    executor: {
      tick: { minMs: 10, maxMs: 100 },
      stableForMs: 50,
      // jobs-api reports no health: a health-checked job is ready after running this long without a restart.
      unknownHealthStableForMs: 150,
      retryBaseMs: 10,
      ...tuning,
    },
  });
  try {
    return await fn(instance);
  } finally {
    await instance.close();
  }
}

interface Spec {
  readonly name: string;
  readonly waitFor?: readonly string[];
}

function yamlOf(specs: readonly Spec[]): string {
  const lines = ['config-version: 0.1', 'components:'];
  for (const s of specs) {
    lines.push(
      `  ${s.name}:`,
      '    type: continuous',
      `    build: {repository: "https://gitlab.example.org/e2e/${s.name}"}`,
      `    run: {command: serve, port: 8000, health-check-http: /healthz}`,
    );
    if (s.waitFor?.length) lines.push(`    wait-for: [${s.waitFor.join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

type Task = DeploymentView['tasks'][number] & { depends_on?: ReadonlyArray<{ task: string }> };

function tasksOf(d: DeploymentView): Map<string, Task> {
  return new Map((d.tasks as Task[]).map((t) => [t.id, t]));
}

const ms = (iso: string | undefined): number => {
  assert.ok(iso, 'timestamp set');
  return Date.parse(iso);
};

/** Every task started only after each of its dependencies finished. */
function assertDependenciesFirst(d: DeploymentView): void {
  const tasks = tasksOf(d);
  for (const t of tasks.values()) {
    for (const dep of t.depends_on ?? []) {
      const before = tasks.get(dep.task);
      assert.ok(before, `${t.id} depends on a known task ${dep.task}`);
      assert.ok(ms(t.started_at) >= ms(before.finished_at), `${t.id} started before ${dep.task} finished`);
    }
  }
}

describe('executor + Toolforge runtime + simulator, through the API', { concurrency: 2 }, () => {
  it('diamond: each task starts once its own dependencies are done, not in waves', async () => {
    const specs: Spec[] = [
      { name: 'd-top' },
      { name: 'd-left', waitFor: ['d-top'] },
      { name: 'd-slow', waitFor: ['d-top'] },
      { name: 'd-bottom', waitFor: ['d-left', 'd-slow'] },
    ];
    await withInstance('diamond', {}, async (instance) => {
      const created = await deployYaml(instance.url, 'diamond', yamlOf(specs));
      const d = await waitFinal(instance.url, 'diamond', created.deploy_id, 40_000);
      assert.equal(d.status, 'successful', describeTasks(d));
      assertDependenciesFirst(d);
      const t = tasksOf(d);
      // d-top is deployed while d-slow still builds: no "all builds first" wave.
      assert.ok(
        ms(t.get('deploy:d-top')?.started_at) < ms(t.get('build:d-slow')?.finished_at),
        describeTasks(d),
      );
      // The bottom waited for both branches.
      assert.ok(ms(t.get('deploy:d-bottom')?.started_at) >= ms(t.get('deploy:d-slow')?.finished_at));
      assert.deepEqual([...sim.state.toolJobs('diamond').keys()].sort(), specs.map((s) => s.name).sort());
    });
  });

  it('wide: twelve independent components, each deployed as soon as its own build is done', async () => {
    const specs: Spec[] = [{ name: 'w-slow' }, ...Array.from({ length: 11 }, (_, i) => ({ name: `w-${i}` }))];
    await withInstance('wide', { buildConcurrency: 4 }, async (instance) => {
      const created = await deployYaml(instance.url, 'wide', yamlOf(specs));
      const d = await waitFinal(instance.url, 'wide', created.deploy_id, 40_000);
      assert.equal(d.status, 'successful', describeTasks(d));
      assertDependenciesFirst(d);
      const t = tasksOf(d);
      const slowBuildDone = ms(t.get('build:w-slow')?.finished_at);
      const earlyDeploys = specs.filter((s) => ms(t.get(`deploy:${s.name}`)?.started_at) < slowBuildDone);
      // With 4 build slots and one slow build, others build and deploy meanwhile (not after every build).
      assert.ok(earlyDeploys.length >= 3, describeTasks(d));
      // Never more than the cap of builds at once, as seen by builds-api.
      const builds = sim.state.toolBuilds('wide');
      assert.equal(builds.length, specs.length);
      for (const b of builds) {
        const running = builds.filter((o) => o.startMs <= b.startMs && b.startMs < o.startMs + o.durationMs);
        assert.ok(running.length <= 4, `${running.length} builds at once`);
      }
    });
  });

  it('a crash-looping dependency fails fast with the reason, long before the wait deadline', async () => {
    const specs: Spec[] = [{ name: 'crashy-api' }, { name: 'crashy-web', waitFor: ['crashy-api'] }];
    await withInstance('crashy', { waitTimeoutMs: 600_000 }, async (instance) => {
      const created = await deployYaml(instance.url, 'crashy', yamlOf(specs));
      // The test's bound (30 s) is far below the 10 min wait deadline.
      const d = await waitFinal(instance.url, 'crashy', created.deploy_id, 30_000);
      assert.equal(d.status, 'failed', describeTasks(d));
      const t = tasksOf(d);
      assert.equal(t.get('deploy:crashy-api')?.state, 'failed');
      assert.match(t.get('deploy:crashy-api')?.reason ?? '', /^crashy-api is crash-looping/);
      assert.equal(t.get('deploy:crashy-web')?.state, 'skipped');
      assert.equal(t.get('deploy:crashy-web')?.reason, 'dependency crashy-api failed');
      assert.equal(t.get('build:crashy-web')?.state, 'succeeded');
      assert.deepEqual([...sim.state.toolJobs('crashy').keys()], ['crashy-api']);
    });
  });

  it('a dependency never healthy: restarted by its probe, never released, failed as a crash loop', async () => {
    const specs: Spec[] = [{ name: 'never-api' }, { name: 'never-web', waitFor: ['never-api'] }];
    // The no-restart window is longer than the probe lets it run, so no running spell releases it.
    const tuning = { waitTimeoutMs: 20_000, unknownHealthStableForMs: 1_000 };
    await withInstance('never', tuning, async (instance) => {
      const created = await deployYaml(instance.url, 'never', yamlOf(specs));
      const d = await waitFinal(instance.url, 'never', created.deploy_id, 30_000);
      assert.equal(d.status, 'failed', describeTasks(d));
      const t = tasksOf(d);
      assert.equal(t.get('deploy:never-api')?.state, 'failed');
      // Killed by its probe again and again: never released, failed once the restarts make a crash loop.
      assert.match(
        t.get('deploy:never-api')?.reason ?? '',
        /^never-api is crash-looping: restarted \(\d+\), exitcode 137$/,
      );
      assert.equal(t.get('deploy:never-web')?.state, 'skipped');
      assert.equal(t.get('deploy:never-web')?.reason, 'dependency never-api failed');
    });
  });

  it('cancel mid-build: builds cancelled in builds-api, every task in a defined state, deployment cancelled', async () => {
    const specs: Spec[] = [{ name: 'cancel-a' }, { name: 'cancel-b', waitFor: ['cancel-a'] }];
    await withInstance('cancel', {}, async (instance) => {
      const created = await deployYaml(instance.url, 'cancel', yamlOf(specs));
      const id = created.deploy_id;
      await waitFor(
        instance.url,
        'cancel',
        id,
        (d) =>
          d.tasks.filter((t) => t.id.startsWith('build:') && t.state === 'running' && t.external_id)
            .length === 2,
        20_000,
      );
      const answer = await callApi(instance.url, 'PUT', `/v1/tool/cancel/deployment/${id}/cancel`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const d = await waitFinal(instance.url, 'cancel', id, 20_000);
      assert.equal(d.status, 'cancelled', describeTasks(d));
      const states = Object.fromEntries(d.tasks.map((t) => [t.id, t.state]));
      assert.deepEqual(states, {
        'build:cancel-a': 'cancelled',
        'build:cancel-b': 'cancelled',
        'deploy:cancel-a': 'skipped',
        'deploy:cancel-b': 'skipped',
      });
      // builds-api was told: both builds ended cancelled, and no job was created.
      const builds = sim.state.toolBuilds('cancel');
      assert.equal(builds.length, 2);
      for (const b of builds) assert.ok(b.cancelledAtMs !== undefined, `build ${b.id} cancelled`);
      assert.equal(sim.state.toolJobs('cancel').size, 0);
    });
  });
});
