/**
 * Failures on the local runtime through the real API: a component that crashes on start fails the deployment
 * with the crash loop as its reason, its dependents are skipped and an independent component is still
 * deployed; a scheduled job that outlives its time-out is stopped and retried.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpText, openE2e, task, type E2e } from '../support/local-e2e.js';
import { toolConfig } from '../support/local-e2e-config.js';

describe('local e2e: failures', () => {
  let e2e: E2e;
  before(async () => {
    e2e = await openE2e();
  });
  after(() => e2e?.close());

  it('fails a crashing component with the reason, skips its dependents, deploys the independent one', async () => {
    const config = await toolConfig(e2e, {
      api: {
        type: 'continuous',
        build: { repository: e2e.repos.app },
        run: { command: 'crash', port: await e2e.port('api'), 'health-check-http': '/healthz' },
      },
      solo: {
        type: 'continuous',
        build: { 'reuse-from': 'api' },
        run: { command: 'worker', port: await e2e.port('solo'), 'health-check-http': '/healthz' },
      },
    });
    const outcome = await e2e.deploy(config);
    assert.equal(outcome.status, 'failed', outcome.longStatus);

    const api = task(outcome, 'deploy:api');
    assert.equal(api.state, 'failed');
    assert.match(api.reason ?? '', /crash/i);
    for (const dependent of ['deploy:flower', 'deploy:cleanup']) {
      const skipped = task(outcome, dependent);
      assert.equal(skipped.state, 'skipped', dependent);
      assert.match(skipped.reason ?? '', /api/, `${dependent} names the failed dependency`);
    }
    assert.equal(task(outcome, 'deploy:solo').state, 'succeeded');
    assert.equal(task(outcome, 'build:cleanup').state, 'succeeded', 'the independent build still ran');
    assert.match((await httpText(`http://127.0.0.1:${await e2e.port('solo')}/`)) ?? '', /^worker/);

    const { jobs } = await e2e.runtime.observe(e2e.tool);
    assert.equal(jobs.find((j) => j.name === 'api')?.state, 'crash-looping');
    assert.equal(
      jobs.some((j) => j.name === 'flower' || j.name === 'cleanup'),
      false,
      'dependents never created',
    );
  });

  it('stops a scheduled run at its time-out and retries it', async () => {
    const config = await toolConfig(e2e, {
      cleanup: {
        type: 'scheduled',
        build: { repository: e2e.repos.cron },
        run: { command: 'hang', schedule: '@daily', timeout: 1, retry: 1 },
      },
    });
    const outcome = await e2e.deploy(config);
    assert.equal(task(outcome, 'deploy:cleanup').state, 'succeeded', outcome.longStatus);

    assert.equal(await e2e.runtime.runJobNow(e2e.tool, 'cleanup'), true);
    const runs = e2e.runtime.runs(e2e.tool, 'cleanup');
    assert.equal(runs.length, 2, JSON.stringify(runs));
    const [first, retry] = runs;
    assert.equal(first?.timedOut, true);
    assert.equal(retry?.timedOut, true);
    assert.equal(retry?.attempt, (first?.attempt ?? 0) + 1, 'the second run is a retry of the first');
    assert.equal(first?.state, retry?.state);
    assert.notEqual(first?.exitCode, 0);
    assert.ok((first?.durationMs ?? 0) >= 1000, 'ran until the time-out');
    assert.deepEqual(e2e.pids('cleanup'), [], 'no run left behind');
  });
});
