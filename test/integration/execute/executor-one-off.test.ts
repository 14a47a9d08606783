/**
 * One-off components through the plan core and the executor, on the real SQLite store with the fake runtime
 * and a manual clock: a migration that `api` waits for runs after `api`'s build and before `api` is deployed,
 * runs once per change of what it runs, and a failed run leaves what `api` runs untouched.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Executor } from '../../../src/execute/executor.js';
import { FakeRuntime, fakeCommit } from '../../../src/runtimes/fake/fake-runtime.js';
import { useTestStore } from '../../support/stores.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import {
  ManualClock,
  byId,
  driveWithClock,
  taskTable,
  fakeOnManualClock,
  ms,
  storePlan,
} from '../../support/executor-kit.js';
import type { DeploymentTask } from '../../../src/model/deployment.js';
import { loadConfig } from '../../../src/config/load.js';
import type { ToolConfig } from '../../../src/model/tool-config.js';
import { planDeployment } from '../../../src/plan/plan-builder.js';
import type { Plan, PlanOptions } from '../../../src/model/plan.js';
import { planString } from '../../../src/plan/plan-string.js';
import { renderPlanText } from '../../../src/plan/render-text.js';
import { refKey, type JobRecord, type ObservedState } from '../../../src/model/observed-state.js';

const executors: Executor[] = [];
// Registered first, so it runs first: executors stop before the store closes.
after(async () => {
  await Promise.allSettled(executors.map((e) => e.stop()));
});
let store: KyselyStore;
useTestStore('sqlite', (opened) => (store = opened));

let counter = 0;
const API_REPO = 'https://gitlab.wikimedia.org/toolforge-repos/api';

function config(migrate = 'migrate', timeout?: number): ToolConfig {
  const text = [
    'config-version: 0.1',
    'components:',
    '  api:',
    '    type: continuous',
    '    build:',
    `      repository: ${API_REPO}`,
    '    wait-for: [migrate]',
    '    run:',
    '      command: web',
    '      port: 8000',
    '  migrate:',
    '    type: one-off',
    '    build:',
    '      reuse-from: api',
    '    run:',
    `      command: ${migrate}`,
    ...(timeout !== undefined ? [`      timeout: ${timeout}`] : []),
  ].join('\n');
  const loaded = loadConfig(text);
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  return loaded.config;
}

const OPTIONS: PlanOptions = { forceBuild: false, forceRun: false, prune: false };

function observed(runtime: FakeRuntime, tool: string, clock: ManualClock): ObservedState {
  const snapshot = runtime.inspect(tool);
  return {
    tool,
    observedAt: new Date(clock.now()).toISOString(),
    builds: snapshot.builds,
    jobs: snapshot.jobs,
    previouslyManaged: snapshot.jobs.map((j) => j.name),
    // The fake builds every repository at one commit per ref: what `git ls-remote` would answer.
    resolvedRefs: { [refKey(API_REPO, undefined)]: { ok: true, commit: fakeCommit(API_REPO, undefined) } },
  };
}

async function deploy(
  runtime: FakeRuntime,
  clock: ManualClock,
  tool: string,
  plan: Plan,
  toolConfig: ToolConfig,
): Promise<{ state: string; tasks: Map<string, DeploymentTask> }> {
  const executor = new Executor({ store, clock, runtime });
  executors.push(executor);
  const deployment = await storePlan(store, tool, toolConfig, plan, { createdAt: clock.now() });
  const final = await driveWithClock(executor, store, deployment, clock);
  return { state: final.state, tasks: byId(await store.listTasks(deployment.id)) };
}

function setup(): { clock: ManualClock; runtime: FakeRuntime; tool: string } {
  return { ...fakeOnManualClock({ buildMs: 40, jobStartMs: 10 }), tool: `oneoff${++counter}` };
}

describe('one-off components', () => {
  it('plans build api → run migrate → deploy api, the api waiting for the migration to complete', () => {
    const plan = planDeployment(config(), { ...observedEmpty('t') }, OPTIONS);
    assert.equal(
      planString(plan),
      [
        '[1] build:api, build no-matching-build',
        '[2] deploy:migrate, run, after #1 completed',
        '[3] deploy:api, create, after #1 completed, #2 completed',
      ].join('\n'),
    );
    const text = renderPlanText(plan);
    assert.match(text, /▶ {3}migrate +run +\(never ran;/);
    assert.match(text, /\[2\] run migrate {2}\(after build api\)/);
    assert.match(text, /\[3\] deploy api {2}\(after build api, waits for migrate completed\)/);
    assert.match(text, /1 to run/);
    const run = plan.tasks.find((t) => t.id === 'deploy:migrate');
    assert.equal(run?.operation.kind, 'run-once');
    assert.deepEqual(run?.ready, { kind: 'completed' });
  });

  it('runs the migration to completion before the api starts, and not again while it is unchanged', async () => {
    const { clock, runtime, tool } = setup();
    const first = await deploy(
      runtime,
      clock,
      tool,
      planDeployment(config(), observedEmpty(tool), OPTIONS),
      config(),
    );
    assert.equal(first.state, 'successful', taskTable([...first.tasks.values()]));
    const migrate = first.tasks.get('deploy:migrate');
    const api = first.tasks.get('deploy:api');
    assert.ok(ms(migrate?.finishedAt) <= ms(api?.startedAt), taskTable([...first.tasks.values()]));
    assert.deepEqual(
      runtime.calls
        .filter((c) => c.method === 'runOnce' || c.method === 'upsertJob')
        .map((c) => `${c.method} ${c.target}`),
      ['runOnce migrate', 'upsertJob api'],
    );
    const again = planDeployment(config(), observed(runtime, tool, clock), OPTIONS);
    const line = again.components.find((c) => c.name === 'migrate');
    assert.equal(line?.job.kind, 'no-op');
    assert.match(line?.reason ?? '', /^already ran for this image/);
    assert.equal(again.tasks.length, 0);
    const forced = planDeployment(config(), observed(runtime, tool, clock), { ...OPTIONS, forceRun: true });
    assert.deepEqual(forced.components.find((c) => c.name === 'migrate')?.job, {
      kind: 'run',
      reason: 'forced',
    });
  });

  it('a failed migration fails its task with the exit code, skips the api and leaves the api job untouched', async () => {
    const { clock, runtime, tool } = setup();
    const first = await deploy(
      runtime,
      clock,
      tool,
      planDeployment(config(), observedEmpty(tool), OPTIONS),
      config(),
    );
    assert.equal(first.state, 'successful');
    const apiJob = (): Omit<JobRecord, 'runningForMs'> | undefined => {
      const job = runtime.inspect(tool).jobs.find((j) => j.name === 'api');
      if (!job) return undefined;
      const { runningForMs: _uptime, ...spec } = job;
      return spec;
    };
    const apiBefore = apiJob();
    runtime.setJobBehaviour('migrate', { exitCode: 3 });
    const changed = config('migrate --to v2');
    const plan = planDeployment(changed, observed(runtime, tool, clock), { ...OPTIONS, forceBuild: true });
    assert.equal(plan.components.find((c) => c.name === 'api')?.job.kind, 'restart');
    const calls = runtime.calls.length;
    const second = await deploy(runtime, clock, tool, plan, changed);
    assert.equal(second.state, 'failed');
    assert.equal(second.tasks.get('deploy:migrate')?.state, 'failed');
    assert.match(second.tasks.get('deploy:migrate')?.reason ?? '', /^migrate failed with exit code 3/);
    assert.equal(second.tasks.get('deploy:api')?.state, 'skipped');
    const touched = runtime.calls
      .slice(calls)
      .filter((c) => c.target === 'api' && ['upsertJob', 'restartJob', 'deleteJob'].includes(c.method));
    assert.deepEqual(touched, []);
    assert.deepEqual(apiJob(), apiBefore);
    // Its last run failed: the next plan runs it again.
    const next = planDeployment(changed, observed(runtime, tool, clock), OPTIONS);
    assert.deepEqual(next.components.find((c) => c.name === 'migrate')?.job, {
      kind: 'run',
      reason: 'last-run-failed',
    });
  });

  it('a run past its timeout is stopped (its job deleted) and fails the task', async () => {
    const { clock, runtime, tool } = setup();
    runtime.setJobBehaviour('migrate', { neverEnds: true });
    const withTimeout = config('migrate', 2);
    const result = await deploy(
      runtime,
      clock,
      tool,
      planDeployment(withTimeout, observedEmpty(tool), OPTIONS),
      withTimeout,
    );
    assert.equal(result.state, 'failed');
    assert.match(result.tasks.get('deploy:migrate')?.reason ?? '', /^migrate timed out after 2s/);
    assert.equal(result.tasks.get('deploy:api')?.state, 'skipped');
    assert.equal(runtime.count('deleteJob', 'migrate'), 1);
    assert.equal(runtime.count('upsertJob', 'api'), 0);
  });

  it('a run whose answer was lost is found running and followed, never started twice', async () => {
    const { clock, runtime, tool } = setup();
    runtime.failNext('runOnce', 'lost-response', 'migrate');
    const result = await deploy(
      runtime,
      clock,
      tool,
      planDeployment(config(), observedEmpty(tool), OPTIONS),
      config(),
    );
    assert.equal(result.state, 'successful', taskTable([...result.tasks.values()]));
    assert.equal(runtime.count('runOnce', 'migrate'), 1);
  });

  it('a run of the same spec still going is followed to its end, not started again, and the api waits for it', async () => {
    const { clock, runtime, tool } = setup();
    const first = await deploy(
      runtime,
      clock,
      tool,
      planDeployment(config(), observedEmpty(tool), OPTIONS),
      config(),
    );
    assert.equal(first.state, 'successful');
    // A run left going (e.g. by a cancelled deployment), of exactly what the config asks for.
    const migrate = runtime.inspect(tool).jobs.find((j) => j.name === 'migrate');
    assert.ok(migrate);
    runtime.setJobBehaviour('migrate', { startMs: 500 });
    const { state: _s, health: _h, lastRun: _l, type: _t, ...fields } = migrate;
    await runtime.runOnce(tool, { ...fields, type: 'one-off' });
    const plan = planDeployment(config(), observed(runtime, tool, clock), { ...OPTIONS, forceRun: false });
    assert.deepEqual(plan.components.find((c) => c.name === 'migrate')?.job, {
      kind: 'run',
      reason: 'still-running',
    });
    const op = plan.tasks.find((t) => t.id === 'deploy:migrate')?.operation;
    assert.equal(op?.kind === 'run-once' && op.attach, true);
    const runs = runtime.count('runOnce', 'migrate');
    const second = await deploy(runtime, clock, tool, plan, config());
    assert.equal(second.state, 'successful', taskTable([...second.tasks.values()]));
    assert.equal(runtime.count('runOnce', 'migrate'), runs, 'not started again');
    assert.match(second.tasks.get('deploy:migrate')?.reason ?? '', /^migrate completed/);
  });
});

function observedEmpty(tool: string): ObservedState {
  return {
    tool,
    observedAt: new Date(0).toISOString(),
    builds: [],
    jobs: [],
    previouslyManaged: [],
    resolvedRefs: {},
  };
}
