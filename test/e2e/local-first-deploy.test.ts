/**
 * First deploy of a three-component tool (web api, a dashboard reusing its image, a cron job) on the local
 * runtime through the real API: both images built, the api deployed first, its dependents only after it is
 * healthy, and everything actually running afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpText, openE2e, task, type E2e } from '../support/local-e2e.js';
import { toolConfig } from '../support/local-e2e-config.js';

describe('local e2e: first deploy', () => {
  let e2e: E2e;
  before(async () => {
    e2e = await openE2e();
  });
  after(() => e2e?.close());

  it('builds both images, deploys the api first and its dependents once it is healthy', async () => {
    const config = await toolConfig(e2e);
    const outcome = await e2e.deploy(config);
    assert.equal(outcome.status, 'successful', outcome.longStatus);

    const buildApi = task(outcome, 'build:api');
    const buildCron = task(outcome, 'build:cleanup');
    const deployApi = task(outcome, 'deploy:api');
    const deployFlower = task(outcome, 'deploy:flower');
    const deployCleanup = task(outcome, 'deploy:cleanup');
    for (const t of [buildApi, buildCron, deployApi, deployFlower, deployCleanup]) {
      assert.equal(t.state, 'succeeded', `${t.id}: ${t.reason ?? ''}`);
    }
    assert.equal(outcome.tasks.filter((t) => t.kind === 'build').length, 2, 'flower reuses the api image');
    // The api's deploy starts after its build; it ends only once the api is healthy, and both dependents
    // start after that.
    assert.ok(deployApi.started_at! >= buildApi.finished_at!, 'api deployed after its build');
    assert.ok(deployFlower.started_at! >= deployApi.finished_at!, 'flower waited for the healthy api');
    assert.ok(deployCleanup.started_at! >= deployApi.finished_at!, 'cleanup waited for the healthy api');
    assert.ok(deployCleanup.started_at! >= buildCron.finished_at!, 'cleanup deployed after its build');

    const apiPort = await e2e.port('api');
    assert.equal(await httpText(`http://127.0.0.1:${apiPort}/healthz`), 'ok');
    assert.match((await httpText(`http://127.0.0.1:${await e2e.port('flower')}/`)) ?? '', /^worker v1 /);
    const { jobs } = await e2e.runtime.observe(e2e.tool);
    assert.deepEqual(jobs.map((j) => j.name).sort(), ['api', 'cleanup', 'flower']);
    assert.equal(jobs.find((j) => j.name === 'api')?.health, 'healthy');
    assert.equal(e2e.pids('api').length, 1);
    assert.equal(e2e.pids('flower').length, 1);
  });
});
