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

test('a document that breaks the contract is refused with one line naming the field and what it expects', () => {
  const config = loadConfig(CONFIG).config!;
  const plan = planDeployment(config, emptyObservedState('t'), {
    forceBuild: false,
    forceRun: false,
    prune: false,
  });
  const json = JSON.parse(JSON.stringify(planToJson(plan))) as { components: Array<{ job: unknown }> };
  json.components[1]!.job = { kind: 'explode' };
  assert.throws(
    () => planFromJson(json),
    (error: Error) =>
      error.message ===
        'Unsupported plan format: components.1.job is {"kind":"explode"}, expected an object whose kind is one of create, update, restart, no-op, delete, leave-orphan, run' &&
      !error.message.includes('\n'),
  );
  const { summary: _dropped, ...withoutSummary } = planToJson(plan);
  assert.throws(() => planFromJson(withoutSummary), {
    message: 'Unsupported plan format: summary is missing',
  });
});

test("a one-off's run spec reads back with its multi-word fields (snake_case on the wire)", () => {
  const oneOff = loadConfig(`config-version: 0.1
components:
  migrate:
    type: one-off
    build:
      repository: https://example.org/api
    run:
      command: migrate
      filelog-stdout: /data/out.log
`).config!;
  const plan = planDeployment(oneOff, emptyObservedState('t'), {
    forceBuild: false,
    forceRun: false,
    prune: false,
  });
  const json = planToJson(plan);
  const run = json.tasks.find((t) => t.operation.kind === 'run-once');
  assert.ok(run && run.operation.kind === 'run-once', 'the fixture runs a one-off');
  assert.equal(run.operation.spec.filelog_stdout, '/data/out.log');
  assert.deepEqual(planFromJson(JSON.parse(JSON.stringify(json))), plan);
});
