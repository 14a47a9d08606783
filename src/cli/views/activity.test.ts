import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityLog, activityText, readinessText } from './activity.js';
import type { DeployProgress, ProgressTask } from './deploy-progress.js';

const task = (over: Partial<ProgressTask> & Pick<ProgressTask, 'id' | 'state'>): ProgressTask => ({
  kind: over.id.startsWith('build:') ? 'build' : 'deploy',
  component: over.id.slice(over.id.indexOf(':') + 1),
  waitsOn: [],
  ...over,
});

const progress = (tasks: ProgressTask[]): DeployProgress => ({
  tool: 't',
  deploymentId: 'd',
  state: 'running',
  tasks,
  unchanged: [],
});

test("the executor's readiness wait reads as what it waits for, with the runtime's reason", () => {
  assert.equal(
    readinessText(
      'waiting for api to be healthy: 0/1 replicas healthy: connection refused on 127.0.0.1:8000',
    ),
    'waiting for health (0/1 ready: connection refused on 127.0.0.1:8000)',
  );
  assert.equal(
    readinessText('waiting for api to be healthy: 1/2 replicas healthy'),
    'waiting for health (1/2 ready)',
  );
  assert.equal(
    readinessText('waiting for api to be healthy: no status yet'),
    'waiting to be ready (starting)',
  );
  assert.equal(
    readinessText('waiting for cron to be registered: not registered yet'),
    'waiting to be registered (not registered yet)',
  );
  assert.equal(readinessText('deploying job api'), undefined);
});

test('a build reads naturally: "building, build <id>", never "building: building (…)"', () => {
  assert.equal(
    activityText(task({ id: 'build:api', state: 'running', reason: 'building (build api-x1)' })),
    'building, build api-x1',
  );
  assert.equal(
    activityText(task({ id: 'build:api', state: 'running', reason: 'starting build' })),
    'building',
  );
  assert.match(activityText(task({ id: 'build:api', state: 'failed' })), /logs api --build/);
});

test('one line per change, none for a repeat, none for tasks that have not started', () => {
  const log = new ActivityLog();
  const waiting = 'waiting for api to be healthy: 0/1 replicas healthy: connection refused on 127.0.0.1:8000';
  assert.deepEqual(log.changes(progress([task({ id: 'deploy:api', state: 'pending' })]), 0), []);
  assert.deepEqual(
    log.changes(progress([task({ id: 'deploy:api', state: 'running', reason: 'deploying job api' })]), 10),
    ['api: deploying'],
  );
  const wait = progress([task({ id: 'deploy:api', state: 'running', reason: waiting })]);
  assert.deepEqual(log.changes(wait, 20), [
    'api: waiting for health (0/1 ready: connection refused on 127.0.0.1:8000)',
  ]);
  assert.deepEqual(log.changes(wait, 30), [], 'the same text is not repeated');
  assert.deepEqual(log.changes(progress([task({ id: 'deploy:api', state: 'succeeded' })]), 40), [
    'api: deployed',
  ]);
});

test('a long wait is reminded of once per interval, with how long it has lasted', () => {
  const log = new ActivityLog();
  const wait = progress([
    task({
      id: 'deploy:api',
      state: 'running',
      reason: 'waiting for api to be healthy: 0/1 replicas healthy',
    }),
  ]);
  log.changes(wait, 0);
  assert.deepEqual(log.reminders(wait, 29_000, 30_000), []);
  assert.deepEqual(log.reminders(wait, 30_000, 30_000), ['api: 30s, still waiting for health (0/1 ready)']);
  assert.deepEqual(log.reminders(wait, 45_000, 30_000), [], 'not again before another interval');
  assert.deepEqual(log.reminders(wait, 61_000, 30_000), ['api: 1m01s, still waiting for health (0/1 ready)']);
  const done = progress([task({ id: 'deploy:api', state: 'succeeded' })]);
  log.changes(done, 62_000);
  assert.deepEqual(log.reminders(done, 200_000, 30_000), [], 'a finished task is not reminded of');
});

test("a one-off component's run reads as a run: running, then ran to completion, not deployed", () => {
  assert.equal(
    activityText(
      task({ id: 'deploy:migrate', state: 'running', reason: 'waiting for migrate to complete: running' }),
    ),
    'waiting for migrate to complete: running',
  );
  assert.equal(
    activityText(
      task({ id: 'deploy:migrate', state: 'succeeded', reason: 'migrate completed (exit code 0)' }),
    ),
    'ran to completion (exit code 0)',
  );
  assert.equal(
    activityText(task({ id: 'deploy:api', state: 'succeeded', reason: 'restarted job api' })),
    'deployed',
  );
});
