/**
 * One-off components on the Toolforge runtime, end to end in one process: a real instance (API + executor +
 * SQLite) talking HTTP to the builds-api + jobs-api simulator. `migrate` reuses `api`'s image and `api` waits
 * for it: the migration's one-off job runs to completion before the api's job is created (the simulator's own
 * clock says so), an unchanged redeploy does not create it again, and a failing migration (exit code 3) fails
 * with the exit code and its log while the api's job is neither updated nor restarted.
 * Each deploy's plan and task table is printed: the transcripts of issue 13.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { ToolforgeRuntime } from '../../src/runtimes/toolforge/toolforge-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.js';
import type { SimJob } from '../../src/simulator/job-model.js';
import { planFromJson } from '../../src/plan/read-plan-json.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import type { Plan } from '../../src/model/plan.js';
import {
  callApi,
  deployYaml,
  describeTasks,
  tempDir,
  waitFinal,
  type DeploymentView,
} from '../support/toolforge-e2e.js';
import { commitFiles } from '../support/local-kit.js';

const TOOL = 'oneoff';
const JOBS = { startMs: 300 };

let repo = '';

function yaml(migrate: string): string {
  return [
    'config-version: 0.1',
    'components:',
    '  api:',
    '    type: continuous',
    `    build: {repository: "${repo}"}`,
    '    run: {command: web, port: 8000}',
    '    wait-for: [migrate]',
    '  migrate:',
    '    type: one-off',
    '    build: {reuse-from: api}',
    `    run: {command: "${migrate}", retry: 1}`,
    '',
  ].join('\n');
}

let dir: ReturnType<typeof tempDir>;
let sim: Simulator;
let instance: RunningInstance;

before(async () => {
  dir = tempDir('tfc-e2e-oneoff-');
  // A real repository: the planner resolves its ref with git, as it would on Toolforge.
  repo = join(dir.path, 'api');
  commitFiles(repo, { Procfile: 'web: serve\nmigrate: migrate\n' }, 'v1');
  sim = await startSimulator({ seed: 13, builds: { durationMs: 150 }, jobs: JOBS });
  instance = await startInstance({
    runtime: new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs: 5_000 }),
    dataDir: join(dir.path, 'instance'),
    executor: { tick: { minMs: 10, maxMs: 100 }, stableForMs: 50, retryBaseMs: 10 },
  });
});

after(async () => {
  await instance?.close();
  await sim?.close();
  dir?.dispose();
});

async function plan(text: string): Promise<Plan> {
  const answer = await callApi(instance.url, 'POST', `/v1/tool/${TOOL}/deploy?only-plan=true`, text);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return planFromJson(answer.body.data);
}

async function deploy(title: string, text: string): Promise<{ plan: Plan; d: DeploymentView }> {
  const planned = await plan(text);
  const created = await deployYaml(instance.url, TOOL, text);
  const d = await waitFinal(instance.url, TOOL, created.deploy_id, 60_000);
  console.log([`=== ${title}`, renderPlanText(planned), describeTasks(d), ''].join('\n'));
  return { plan: planned, d };
}

const job = (name: string): SimJob | undefined => sim.state.toolJobs(TOOL).get(name);
const task = (d: DeploymentView, id: string) => {
  const found = d.tasks.find((t) => t.id === id);
  assert.ok(found, `task ${id} in\n${describeTasks(d)}`);
  return found;
};

describe('Toolforge runtime + simulator: one-off components', () => {
  it('creates the migration job, follows it to completion, then creates the api job', async () => {
    const { d } = await deploy('first deploy', yaml('migrate'));
    assert.equal(d.status, 'successful', describeTasks(d));
    const migrate = job('migrate');
    const api = job('api');
    assert.ok(migrate && api);
    assert.equal(migrate.spec.job_type, 'one-off');
    // By the simulator's clock: the migration's run ended before the api's job was created.
    assert.ok(migrate.generationMs + JOBS.startMs <= api.generationMs, describeTasks(d));
    assert.ok(
      Date.parse(task(d, 'deploy:migrate').finished_at ?? '') <=
        Date.parse(task(d, 'deploy:api').started_at ?? ''),
    );
    assert.match(task(d, 'deploy:migrate').reason ?? '', /^migrate completed \(exit code 0\)/);
  });

  it('does not run the unchanged migration again', async () => {
    const before = job('migrate')?.generationMs;
    const { plan: planned, d } = await deploy('unchanged redeploy', yaml('migrate'));
    const migrate = planned.components.find((c) => c.name === 'migrate');
    assert.equal(migrate?.job.kind, 'no-op');
    assert.match(migrate?.reason ?? '', /^already ran for this image/);
    assert.equal(d.status, 'successful', describeTasks(d));
    assert.deepEqual(d.tasks, []);
    assert.equal(job('migrate')?.generationMs, before);
  });

  it('a failing migration fails with its exit code and log, and the api job stays untouched', async () => {
    const apiBefore = structuredClone(job('api'));
    sim.configure({ jobs: { ...JOBS, byName: { migrate: { exitCode: 3 } } } });
    commitFiles(repo, { Procfile: 'web: serve\nmigrate: migrate\n', 'v2.sql': 'alter table…\n' }, 'v2');
    const { plan: planned, d } = await deploy('failing migration', yaml('migrate --to v2'));
    assert.equal(planned.components.find((c) => c.name === 'api')?.job.kind, 'restart');
    assert.equal(planned.components.find((c) => c.name === 'migrate')?.job.kind, 'run');
    assert.equal(d.status, 'failed', describeTasks(d));
    assert.equal(task(d, 'build:api').state, 'succeeded');
    assert.equal(task(d, 'deploy:migrate').state, 'failed');
    assert.match(task(d, 'deploy:migrate').reason ?? '', /^migrate failed with exit code 3/);
    assert.match(task(d, 'deploy:migrate').reason ?? '', /exited with code 3/);
    assert.equal(task(d, 'deploy:api').state, 'skipped');
    // Neither updated nor restarted: same spec (image included), same generation.
    const apiAfter = job('api');
    assert.deepEqual(apiAfter?.spec, apiBefore?.spec);
    assert.equal(apiAfter?.generationMs, apiBefore?.generationMs);
  });

  it('a migration past its timeout is stopped (its one-off job deleted) and fails; the api stays untouched', async () => {
    const apiBefore = structuredClone(job('api'));
    // jobs-api has no timeout for one-off jobs: the executor stops the run itself, 5 s past its timeout.
    sim.configure({ jobs: { ...JOBS, byName: { migrate: { neverEnds: true } } } });
    const text = yaml('migrate --to v3').replace('retry: 1}', 'retry: 1, timeout: 1}');
    const { d } = await deploy('migration past its timeout', text);
    assert.equal(d.status, 'failed', describeTasks(d));
    assert.match(task(d, 'deploy:migrate').reason ?? '', /^migrate timed out after 1s/);
    assert.equal(task(d, 'deploy:api').state, 'skipped');
    assert.equal(job('migrate'), undefined, 'the run was stopped: its job deleted');
    assert.deepEqual(job('api')?.spec, apiBefore?.spec);
    assert.equal(job('api')?.generationMs, apiBefore?.generationMs);
  });
});
