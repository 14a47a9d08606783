import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateDependencies, type WaitChecker } from './dependencies.js';
import type { DeploymentTask, TaskState } from '../model/deployment.js';
import type { PlanTask } from '../model/plan.js';
import { taskDetailsFor } from '../../test/support/plan-fixtures.js';

const task = (id: string, state: TaskState, extra: Partial<DeploymentTask> = {}): DeploymentTask => ({
  deploymentId: 'd',
  id,
  kind: id.startsWith('build') ? 'build' : 'deploy',
  component: id.slice(id.indexOf(':') + 1),
  state,
  attempts: 0,
  waitingFor: [],
  ...extra,
});

const flower: PlanTask = {
  id: 'deploy:flower',
  kind: 'deploy',
  component: 'flower',
  dependsOn: [
    { task: 'build:api', condition: 'completed' },
    { task: 'deploy:api', condition: 'healthy' },
  ],
  ...taskDetailsFor('deploy:flower', { imageFrom: 'api' }),
};

const never: WaitChecker = () => assert.fail('no wait check expected');

function tasks(...list: DeploymentTask[]): Map<string, DeploymentTask> {
  return new Map(list.map((t) => [t.id, t]));
}

describe('evaluateDependencies', () => {
  it('is blocked while a completed-dependency runs', () => {
    const all = tasks(task('build:api', 'running'), task('deploy:api', 'pending'));
    assert.deepEqual(evaluateDependencies(task('deploy:flower', 'pending'), flower, all, never), {
      kind: 'blocked',
    });
  });

  it('waits, with a reason, while the dependency is not deployed or not ready', () => {
    const me = task('deploy:flower', 'pending');
    const notDeployed = tasks(task('build:api', 'succeeded'), task('deploy:api', 'running'));
    assert.deepEqual(evaluateDependencies(me, flower, notDeployed, never), {
      kind: 'waiting',
      names: ['api'],
      reason: 'waiting for api: not deployed yet',
    });
    const deployed = tasks(
      task('build:api', 'succeeded'),
      task('deploy:api', 'succeeded', { finishedAt: '2025-01-01T00:00:00Z' }),
    );
    const seen: unknown[] = [];
    const check: WaitChecker = (name, depTask, since) => {
      seen.push([name, depTask?.id, since]);
      return { kind: 'not-ready', detail: '1/2 replicas healthy' };
    };
    assert.equal(evaluateDependencies(me, flower, deployed, check).kind, 'waiting');
    assert.deepEqual(seen, [['api', 'deploy:api', Date.parse('2025-01-01T00:00:00Z')]]);
    assert.deepEqual(
      evaluateDependencies(me, flower, deployed, () => ({ kind: 'ready' })),
      { kind: 'ready' },
    );
  });

  it('skips on a failed dependency, naming the root cause through skipped ones', () => {
    const me = task('deploy:flower', 'pending');
    const failed = tasks(task('build:api', 'failed'), task('deploy:api', 'pending'));
    assert.deepEqual(evaluateDependencies(me, flower, failed, never), {
      kind: 'skip',
      reason: 'dependency api failed',
      cause: 'api',
    });
    const skipped = tasks(
      task('build:api', 'succeeded'),
      task('deploy:api', 'skipped', { result: { cause: 'db' } }),
    );
    assert.deepEqual(evaluateDependencies(me, flower, skipped, never), {
      kind: 'skip',
      reason: 'dependency db failed',
      cause: 'db',
    });
    const own: PlanTask = {
      id: 'deploy:api',
      kind: 'deploy',
      component: 'api',
      dependsOn: [{ task: 'build:api', condition: 'completed' }],
      ...taskDetailsFor('deploy:api'),
    };
    assert.deepEqual(evaluateDependencies(task('deploy:api', 'pending'), own, failed, never), {
      kind: 'skip',
      reason: 'build of api failed',
      cause: 'api',
    });
  });

  it('fails when a wait check fails (crash loop, deadline)', () => {
    const deployed = tasks(task('build:api', 'succeeded'), task('deploy:api', 'succeeded'));
    const verdict = evaluateDependencies(task('deploy:flower', 'waiting'), flower, deployed, () => ({
      kind: 'fail',
      reason: 'api is crash-looping',
    }));
    assert.deepEqual(verdict, { kind: 'fail', reason: 'api is crash-looping' });
  });

  it('checks a dependency that has no task (a no-op component) against the live state only', () => {
    const verdict = evaluateDependencies(task('deploy:flower', 'pending'), flower, tasks(), () => ({
      kind: 'ready',
    }));
    assert.deepEqual(verdict, { kind: 'ready' });
  });
});
