import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { failureSummary, pythonTimedelta, pythonUtc, runLongStatus, shortDuration } from './status-text.js';
import type { DeploymentTask } from '../model/deployment.js';

describe('status texts', () => {
  it("prints times as upstream's Python str() of an aware UTC datetime", () => {
    assert.equal(pythonUtc(new Date('2025-01-01T12:00:00.123Z')), '2025-01-01 12:00:00.123000+00:00');
    assert.equal(pythonTimedelta(3_723_456.789), '1:02:03.456789');
  });

  it('prints short durations', () => {
    assert.equal(shortDuration(600_000), '10m');
    assert.equal(shortDuration(90_000), '1m30s');
    assert.equal(shortDuration(150), '150ms');
    assert.equal(shortDuration(3_600_000), '1h');
  });

  it("keeps upstream's run long status", () => {
    const messages = { info: ['created continuous job web'], warning: [], error: ['x', 'y'] };
    assert.equal(
      runLongStatus('web', { changed: true, messages }, false),
      'created or updated job web, [info](created continuous job web), [error](x, y)',
    );
    const none = { info: [], warning: [], error: [] };
    assert.equal(runLongStatus('web', { changed: false, messages: none }, true), 'restarted job web');
    assert.equal(
      runLongStatus('web', { changed: false, messages: none }, false),
      'job web is already up to date',
    );
  });

  it('summarises a failed deployment per component', () => {
    const base = { deploymentId: 'd', attempts: 1, waitingFor: [] };
    const tasks: DeploymentTask[] = [
      { ...base, id: 'build:api', kind: 'build', component: 'api', state: 'failed', reason: 'boom' },
      {
        ...base,
        id: 'deploy:api',
        kind: 'deploy',
        component: 'api',
        state: 'skipped',
        reason: 'build of api failed',
      },
      { ...base, id: 'deploy:web', kind: 'deploy', component: 'web', state: 'succeeded' },
    ];
    assert.equal(
      failureSummary(tasks, new Date('2025-01-01T00:00:00Z')),
      'Failed at 2025-01-01 00:00:00.000000+00:00: api (build): boom. skipped: api (build of api failed). deployed: web',
    );
  });
});
