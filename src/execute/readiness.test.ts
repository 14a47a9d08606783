import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StabilityTracker, jobReadiness } from './readiness.js';
import type { JobRecord } from '../model/observed-state.js';

const CHECKED = { kind: 'healthy', observed: 'health-check' } as const;
const PLAIN = { kind: 'healthy', observed: 'stability' } as const;
const REGISTERED = { kind: 'registered' } as const;

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
  it('is ready at once when its health check passes, by stability without a health check', () => {
    assert.deepEqual(jobReadiness('api', job({}), CHECKED), { kind: 'ready', rule: 'health-check' });
    assert.deepEqual(jobReadiness('api', job({ health: 'none' }), PLAIN), {
      kind: 'ready',
      rule: 'stability',
    });
    // Without a health check in the plan, a healthy report still needs the stability window.
    assert.deepEqual(jobReadiness('api', job({}), PLAIN), { kind: 'ready', rule: 'stability' });
  });

  it('releases a job whose health the runtime cannot see by the no-restart rule', () => {
    assert.deepEqual(jobReadiness('api', job({ health: 'unknown' }), CHECKED), {
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
    assert.deepEqual(jobReadiness('api', restarting, CHECKED), {
      kind: 'not-ready',
      detail: 'restarting (restarted (2), exitcode 1)',
    });
  });

  it('says what it waits for', () => {
    assert.deepEqual(jobReadiness('api', undefined, CHECKED), {
      kind: 'not-ready',
      detail: 'not running yet',
    });
    assert.deepEqual(jobReadiness('api', job({ state: 'pending', health: 'starting' }), CHECKED), {
      kind: 'not-ready',
      detail: 'starting',
    });
    assert.deepEqual(
      jobReadiness('api', job({ health: 'starting', replicas: 2, readyReplicas: 1 }), CHECKED),
      {
        kind: 'not-ready',
        detail: '1/2 replicas healthy',
      },
    );
  });

  it('is broken for good on a crash loop or a failure', () => {
    assert.deepEqual(jobReadiness('api', job({ state: 'crash-looping', message: 'exit 1' }), CHECKED), {
      kind: 'broken',
      reason: 'api is crash-looping: exit 1',
    });
    assert.deepEqual(jobReadiness('api', job({ state: 'failed' }), CHECKED), {
      kind: 'broken',
      reason: 'api failed',
    });
  });

  it('wants a scheduled job registered', () => {
    const cron = job({ type: 'scheduled', state: 'registered', health: 'none' });
    assert.deepEqual(jobReadiness('cron', cron, REGISTERED), { kind: 'ready', rule: 'health-check' });
    assert.equal(jobReadiness('cron', { ...cron, state: 'pending' }, REGISTERED).kind, 'not-ready');
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
