/**
 * `build.envvars` reach the runtime: a deployment of a config with build envvars starts its build with them
 * (the fake runtime reports them back the way builds-api does), and the next plan reuses that build.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Executor } from '../../../src/execute/executor.js';
import { FakeRuntime } from '../../../src/runtimes/fake/fake-runtime.js';
import { loadConfig } from '../../../src/config/load.js';
import { planDeployment } from '../../../src/plan/plan-builder.js';
import { observeTool } from '../../../src/status/observe.js';
import { emptyObservedState } from '../../../src/model/observed-state.js';
import { useTestStore } from '../../support/stores.js';
import { ManualClock, driveWithClock, storePlan } from '../../support/executor-kit.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';

let store: KyselyStore;
useTestStore('sqlite', (opened) => (store = opened));

const CONFIG = [
  'config_version: v1beta2',
  'components:',
  '  web:',
  '    build:',
  '      repository: https://gitlab.wikimedia.org/toolforge-repos/web',
  '      ref: main',
  '      envvars: {NODE_ENV: production, API_BASE: /api}',
  '    run: {command: web}',
  '',
].join('\n');

it('starts the build with the config envvars, and a later plan reuses that build', async () => {
  const { config, diagnostics } = loadConfig(CONFIG);
  assert.deepEqual(diagnostics, []);
  assert.ok(config);
  const tool = 'envtool';
  const clock = new ManualClock();
  const runtime = new FakeRuntime({ now: () => clock.now() });
  const executor = new Executor({ store, runtime, clock });
  const options = { forceBuild: false, forceRun: false, prune: false };
  const plan = planDeployment(config, emptyObservedState(tool), options);
  const deployment = await storePlan(store, tool, config, plan, {
    createdAt: clock.now(),
    planOptions: options,
  });
  const final = await driveWithClock(executor, store, deployment, clock);
  assert.equal(final.state, 'successful');
  const snapshot = await runtime.observe(tool);
  assert.deepEqual(
    snapshot.builds.map((b) => b.envvars),
    [{ NODE_ENV: 'production', API_BASE: '/api' }],
  );
  const observed = await observeTool(runtime, tool, config, ['web']);
  assert.deepEqual(planDeployment(config, observed, options).tasks, []);
});
