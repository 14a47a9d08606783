import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDeployment } from './plan-builder.js';
import { planToJson } from './render-json.js';
import { planFromJson } from './read-plan-json.js';
import { loadConfig } from '../config/load.js';
import { emptyObservedState } from '../model/observed-state.js';
import type { JobRecord } from '../model/observed-state.js';

const CONFIG = `config-version: 0.1
components:
  api:
    type: continuous
    build:
      repository: https://example.org/api
    run:
      command: web
      health-check-http: /healthz
      port: 8000
  cron:
    type: scheduled
    build:
      reuse-from: api
    run:
      command: cleanup
      schedule: "@daily"
    wait-for: [api]
`;

test('a plan read back from its JSON equals the plan (round trip, with a field diff)', () => {
  const config = loadConfig(CONFIG).config!;
  const running: JobRecord = {
    name: 'api',
    type: 'continuous',
    image: 'tool-t/api:latest',
    command: 'old',
    port: 8000,
    healthCheck: { type: 'http', path: '/healthz' },
    state: 'running',
    health: 'healthy',
  };
  const observed = { ...emptyObservedState('t'), jobs: [running] };
  const plan = planDeployment(config, observed, { forceBuild: false, forceRun: false, prune: false });
  assert.ok(
    plan.components.some((c) => c.job.kind === 'update'),
    'the fixture has an update',
  );
  assert.deepEqual(planFromJson(JSON.parse(JSON.stringify(planToJson(plan)))), plan);
});

test('another major format version is refused with a clear error', () => {
  assert.throws(() => planFromJson({ format_version: '2.0' }), /Unsupported plan format/);
  assert.throws(() => planFromJson('nope'), /Unsupported plan format/);
});
