import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whatDeployed } from './deployed.js';
import { tasksFromPlan } from './tasks-from-plan.js';
import { planDeployment } from '../plan/plan-builder.js';
import { emptyObservedState } from '../model/observed-state.js';
import { NO_OPTIONS, deployedState, toolhuntConfig } from '../../test/support/plan-fixtures.js';

test('a new build: commit, build and image come from its task once it ended; the reuse-from child gets the same', () => {
  const config = toolhuntConfig();
  const plan = planDeployment(config, emptyObservedState('toolhunt'), NO_OPTIONS);
  const tasks = tasksFromPlan('d1', plan).map((t) =>
    t.id === 'build:toolhunt-api'
      ? {
          ...t,
          state: 'succeeded' as const,
          result: {
            buildId: 'b-api',
            image: 'tool-toolhunt/toolhunt-api:latest@sha256:aa',
            resolvedCommit: 'c'.repeat(40),
          },
        }
      : t,
  );
  const record = whatDeployed(plan, tasks);
  const api = {
    commit: 'c'.repeat(40),
    buildId: 'b-api',
    image: 'tool-toolhunt/toolhunt-api:latest@sha256:aa',
  };
  assert.deepEqual(record['toolhunt-api'], api);
  assert.deepEqual(record['toolhunt-flower'], api, 'reuse-from: the parent image and commit');
  assert.deepEqual(record['toolhunt-cleanup'], {}, 'its build has not ended: nothing known yet');
  assert.deepEqual(whatDeployed(plan, [])['toolhunt-api'], {}, 'before any task: nothing known');
});

test('a reused build is known from the plan alone', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const plan = planDeployment(config, observed, NO_OPTIONS);
  const record = whatDeployed(plan, []);
  const build = observed.builds.find((b) => b.imageName === 'toolhunt-api');
  assert.deepEqual(record['toolhunt-api'], {
    commit: build?.resolvedCommit,
    buildId: build?.id,
    image: build?.image,
  });
  assert.deepEqual(record['toolhunt-flower'], record['toolhunt-api']);
  assert.equal(Object.keys(record).length, 3);
});
