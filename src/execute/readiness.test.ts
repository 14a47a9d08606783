import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StabilityTracker, jobReadiness } from './readiness.js';
import type { JobRecord } from '../status/observed-state.js';

const job = (over: Partial<JobRecord>): JobRecord => ({
  name: 'api',
  type: 'continuous',
  image: 'tool-t/api:latest',
  command: 'web',
  state: 'running',
  health: 'healthy',
  ...over,
});

describe('jobReadiness', () => {
  it('is ready when running and healthy, or running without a health check', () => {
    assert.deepEqual(jobReadiness('api', job({}), 'healthy'), { kind: 'ready', rule: 'health' });
    assert.deepEqual(jobReadiness('api', job({ health: 'none' }), 'healthy'), {
      kind: 'ready',
      rule: 'health',
    });
  });

  it('releases a job whose health the runtime cannot see by the no-restart rule', () => {
    assert.deepEqual(jobReadiness('api', job({ health: 'unknown' }), 'healthy'), {
      kind: 'ready',
      rule: 'no-restart',
    });
  });

  it('says when a job is restarting, with the cause', () => {
    const restarting = job({
      state: 'pending',
      health: 'starting',
      restarts: 2,
      message: 'restarted (2), exitcode 1',
    });
    assert.deepEqual(jobReadiness('api', restarting, 'healthy'), {
      kind: 'not-ready',
      detail: 'restarting (restarted (2), exitcode 1)',
    });
  });

  it('says what it waits for', () => {
    assert.deepEqual(jobReadiness('api', undefined, 'healthy'), {
      kind: 'not-ready',
      detail: 'not running yet',
    });
    assert.deepEqual(jobReadiness('api', job({ state: 'pending', health: 'starting' }), 'healthy'), {
      kind: 'not-ready',
      detail: 'starting',
    });
    assert.deepEqual(
      jobReadiness('api', job({ health: 'starting', replicas: 2, readyReplicas: 1 }), 'healthy'),
      {
        kind: 'not-ready',
        detail: '1/2 replicas healthy',
      },
    );
  });

  it('is broken for good on a crash loop or a failure', () => {
    assert.deepEqual(jobReadiness('api', job({ state: 'crash-looping', message: 'exit 1' }), 'healthy'), {
      kind: 'broken',
      reason: 'api is crash-looping: exit 1',
    });
    assert.deepEqual(jobReadiness('api', job({ state: 'failed' }), 'healthy'), {
      kind: 'broken',
      reason: 'api failed',
    });
  });

  it('wants a scheduled job registered', () => {
    const cron = job({ type: 'scheduled', state: 'registered', health: 'none' });
    assert.deepEqual(jobReadiness('cron', cron, 'registered'), { kind: 'ready', rule: 'health' });
    assert.equal(jobReadiness('cron', { ...cron, state: 'pending' }, 'registered').kind, 'not-ready');
  });
});

describe('StabilityTracker', () => {
  it('counts from the first ready sighting and resets on a not-ready one', () => {
    const t = new StabilityTracker();
    assert.equal(t.observe('k', true, 1000, 500), false);
    assert.equal(t.observe('k', true, 1400, 500), false);
    assert.equal(t.observe('k', true, 1500, 500), true);
    assert.equal(t.observe('k', false, 1600, 500), false);
    assert.equal(t.observe('k', true, 1700, 500), false);
    assert.equal(t.observe('k', true, 1700, 0), true);
  });

  it('knows when each job will have been ready long enough', () => {
    const t = new StabilityTracker();
    assert.equal(t.stableAt('k'), undefined);
    t.observe('k', true, 1000, 30_000);
    assert.equal(t.stableAt('k'), 31_000);
    t.observe('k', false, 2000, 30_000);
    assert.equal(t.stableAt('k'), undefined);
  });
});
