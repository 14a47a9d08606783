import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toUpstreamDeployment, failureSummary } from './upstream-deployment.js';
import { sampleDeployment } from '../../test/support/deployment-fixtures.js';
import type { DeploymentTask } from '../model/deployment.js';

function withTasks(patches: Record<string, Partial<DeploymentTask>>) {
  const { deployment, tasks } = sampleDeployment('t1', { createdAt: '2026-11-24T17:59:44.123Z' });
  return { deployment, tasks: tasks.map((t) => ({ ...t, ...patches[t.id] })) };
}

test('a new deployment: pending build, reuse skipped, pending runs, upstream fields', () => {
  const { deployment, tasks } = withTasks({});
  const up = toUpstreamDeployment(deployment, tasks);
  assert.equal(up.creation_time, '20261124-175944');
  assert.equal(up.status, 'pending');
  assert.deepEqual(up.builds.web, {
    build_id: 'no-id-yet',
    build_status: 'pending',
    build_long_status: 'Not started yet',
  });
  assert.deepEqual(up.builds.cron, {
    build_id: 'no-build-needed',
    build_status: 'skipped',
    build_long_status: 'Component re-uses build from web',
  });
  assert.deepEqual(up.runs.web, { run_status: 'pending' });
  assert.deepEqual(
    up.tasks.map((t) => t.id),
    ['build:web', 'deploy:web', 'deploy:cron'],
  );
  assert.deepEqual(up.tasks[2]!.depends_on, [
    { task: 'build:web', condition: 'completed' },
    { task: 'deploy:web', condition: 'healthy' },
  ]);
});

test('task states map to upstream build/run states and long statuses', () => {
  const { deployment, tasks } = withTasks({
    'build:web': { state: 'succeeded', externalId: 'b-1', result: { image: 'img@sha256:1' } },
    'deploy:web': {
      state: 'succeeded',
      result: { changed: true, messages: { info: ['created'], warning: [], error: [] } },
    },
    'deploy:cron': { state: 'waiting', waitingFor: ['web'], reason: 'waiting for web: 1/2 replicas healthy' },
  });
  const up = toUpstreamDeployment(deployment, tasks);
  assert.deepEqual(up.builds.web, {
    build_id: 'b-1',
    build_status: 'successful',
    build_long_status: 'You can see the logs with `toolforge build logs b-1`',
    build_image: 'img@sha256:1',
  });
  assert.deepEqual(up.runs.web, {
    run_status: 'successful',
    run_long_status: 'created or updated job web, [info](created)',
  });
  assert.deepEqual(up.runs.cron, {
    run_status: 'pending',
    run_long_status: 'waiting for web: 1/2 replicas healthy',
  });
  assert.deepEqual(up.tasks[2]!.waiting_for, ['web']);

  const unchanged = toUpstreamDeployment(deployment, [
    {
      ...tasks[1]!,
      state: 'succeeded',
      result: { changed: false, messages: { info: [], warning: [], error: [] } },
    },
  ]);
  assert.equal(unchanged.runs.web?.run_long_status, 'job web is already up to date');
});

test('failures: failed build, skipped dependents, cancelled; the failure summary lists them', () => {
  const { deployment, tasks } = withTasks({
    'build:web': { state: 'failed', externalId: 'b-2', reason: 'build failed: exit 1' },
    'deploy:web': { state: 'skipped', reason: 'dependency build:web failed' },
    'deploy:cron': { state: 'cancelled' },
  });
  const up = toUpstreamDeployment(deployment, tasks);
  assert.equal(up.builds.web?.build_status, 'failed');
  assert.equal(up.runs.web?.run_status, 'skipped');
  assert.deepEqual(up.runs.cron, { run_status: 'skipped', run_long_status: 'The deployment was cancelled' });
  assert.deepEqual(failureSummary(tasks), [
    'web: build failed (build failed: exit 1)',
    'web: deploy skipped (dependency build:web failed)',
    'cron: deploy cancelled',
  ]);
});
