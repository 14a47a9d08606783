import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeToolStatus } from './tool-status.js';
import { emptyObservedState } from '../model/observed-state.js';
import { deployedState, liveJob, toolhuntConfig } from '../../test/support/plan-fixtures.js';
import type { ContinuousComponent } from '../model/tool-config.js';

test('classifies managed, drifted, missing, orphaned and unmanaged jobs', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const api = config.components[1] as ContinuousComponent;
  const jobs = observed.jobs
    .filter((j) => j.name !== 'toolhunt-cleanup')
    .map((j) => (j.name === 'toolhunt-flower' ? { ...j, command: 'flower --debug', replicas: 2 } : j));
  const status = describeToolStatus(config, {
    ...observed,
    jobs: [
      ...jobs,
      liveJob({ ...api, name: 'zz-handmade' }, 'python3.11'),
      liveJob({ ...api, name: 'old-api' }, 'tool-toolhunt/old-api:latest'),
    ],
    previouslyManaged: [...observed.previouslyManaged, 'old-api'],
  });
  assert.deepEqual(
    status.components.map((c) => [c.name, c.status]),
    [
      ['toolhunt-cleanup', 'missing'],
      ['toolhunt-api', 'managed'],
      ['toolhunt-flower', 'drifted'],
      ['old-api', 'orphaned'],
      ['zz-handmade', 'unmanaged'],
    ],
  );
  assert.deepEqual(status.components[2]?.drift, [
    { field: 'command', before: 'flower --debug', after: 'flower' },
    { field: 'replicas', before: 2, after: undefined },
  ]);
  assert.deepEqual(status.counts, { managed: 1, drifted: 1, missing: 1, orphaned: 1, unmanaged: 1 });
  // reuse-from components point at their parent's newest build.
  assert.equal(status.components[2]?.latestBuild?.imageName, 'toolhunt-api');
  assert.deepEqual(
    status.jobs.map((j) => j.name),
    ['old-api', 'toolhunt-api', 'toolhunt-flower', 'zz-handmade'],
  );
});

test('without a config every job is unmanaged or orphaned', () => {
  const observed = deployedState(toolhuntConfig());
  const status = describeToolStatus(undefined, { ...observed, previouslyManaged: ['toolhunt-api'] });
  assert.deepEqual(
    status.components.map((c) => c.status),
    ['orphaned', 'unmanaged', 'unmanaged'],
  );
});

test('builds are listed newest first', () => {
  const observed = deployedState(toolhuntConfig());
  const newer = { ...observed.builds[0]!, id: 'newest', startedAt: '2027-01-01T00:00:00.000Z' };
  const status = describeToolStatus(toolhuntConfig(), { ...observed, builds: [...observed.builds, newer] });
  assert.equal(status.builds[0]?.id, 'newest');
  assert.equal(describeToolStatus(toolhuntConfig(), emptyObservedState('t')).counts.missing, 3);
});

test('a job the runtime says was changed behind its back (jobs-api up_to_date: false) is drifted', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const jobs = observed.jobs.map((j) => (j.name === 'toolhunt-api' ? { ...j, upToDate: false } : j));
  const status = describeToolStatus(config, { ...observed, jobs });
  const api = status.components.find((c) => c.name === 'toolhunt-api');
  assert.equal(api?.status, 'drifted');
  assert.deepEqual(api?.drift, [{ field: 'upToDate', before: false, after: true }]);
});
