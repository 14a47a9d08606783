/**
 * Redeploys on the local runtime through the real API, one after the other on the same tool: no change
 * (nothing restarts), a changed command (only that component is updated), a new commit in the api's
 * repository (api rebuilt, the dashboard reusing its image restarted). Process ids tell what restarted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP_FILES, commitFiles, httpText, openE2e, task, waitFor, type E2e } from '../support/local-e2e.js';
import { toolConfig } from '../support/local-e2e-config.js';

function componentPlan(
  plan: { components: readonly { name: string; job: { kind: string } }[] },
  name: string,
) {
  const found = plan.components.find((c) => c.name === name);
  assert.ok(found, `component ${name} in the plan`);
  return found;
}

describe('local e2e: redeploys', () => {
  let e2e: E2e;
  let config: Record<string, unknown>;
  let pids: { api: number[]; flower: number[] };

  before(async () => {
    e2e = await openE2e();
    config = await toolConfig(e2e);
    const first = await e2e.deploy(config);
    assert.equal(first.status, 'successful', first.longStatus);
    pids = { api: e2e.pids('api'), flower: e2e.pids('flower') };
    assert.equal(pids.api.length, 1);
    assert.equal(pids.flower.length, 1);
  });
  after(() => e2e?.close());

  it('plans no changes for the same config, and deploying it anyway restarts nothing', async () => {
    const plan = await e2e.plan(config);
    assert.deepEqual(
      plan.components.map((c) => [c.name, c.job.kind]),
      [
        ['api', 'no-op'],
        ['flower', 'no-op'],
        ['cleanup', 'no-op'],
      ],
    );
    assert.equal(plan.tasks.length, 0);
    assert.equal(plan.summary.toBuild + plan.summary.toCreate + plan.summary.toUpdate, 0);
    assert.equal(plan.summary.toRestart + plan.summary.toDelete, 0);

    const outcome = await e2e.deploy(config);
    assert.equal(outcome.status, 'successful', outcome.longStatus);
    assert.equal(outcome.tasks.filter((t) => t.kind === 'build').length, 0, 'nothing rebuilt');
    assert.deepEqual(e2e.pids('api'), pids.api, 'api not restarted');
    assert.deepEqual(e2e.pids('flower'), pids.flower, 'flower not restarted');
  });

  it('updates only the component whose command changed', async () => {
    const changed = await toolConfig(e2e, {
      api: {
        type: 'continuous',
        build: { repository: e2e.repos.app },
        run: {
          command: 'node server.js api',
          port: await e2e.port('api'),
          'health-check-http': '/healthz',
          publish: '/',
        },
      },
    });
    const plan = await e2e.plan(changed);
    const api = componentPlan(plan, 'api');
    assert.equal(api.job.kind, 'update');
    assert.ok(
      'changes' in api.job && (api.job.changes as { field: string }[]).some((c) => c.field === 'command'),
      'the diff names the command',
    );
    assert.equal(componentPlan(plan, 'flower').job.kind, 'no-op');
    assert.equal(componentPlan(plan, 'cleanup').job.kind, 'no-op');

    const outcome = await e2e.deploy(changed);
    assert.equal(outcome.status, 'successful', outcome.longStatus);
    assert.deepEqual(
      outcome.tasks.map((t) => t.id),
      ['deploy:api'],
    );
    const apiPids = e2e.pids('api');
    assert.equal(apiPids.length, 1);
    assert.notDeepEqual(apiPids, pids.api, 'api restarted with its new command');
    assert.deepEqual(e2e.pids('flower'), pids.flower, 'flower untouched');
    assert.match((await httpText(`http://127.0.0.1:${await e2e.port('api')}/`)) ?? '', /^api v1/);
    config = changed;
    pids = { ...pids, api: apiPids };
  });

  it('rebuilds the api on a new commit and restarts the dashboard that reuses its image', async () => {
    commitFiles(e2e.repos.app, { 'server.js': APP_FILES['server.js']!.replace('|| "1"', '|| "2"') }, 'v2');
    const plan = await e2e.plan(config);
    const api = plan.components.find((c) => c.name === 'api');
    assert.equal(api?.build?.kind, 'build');
    // The dashboard runs the api's image: a rebuild restarts it (same spec, new image), nothing else changes.
    const flower = componentPlan(plan, 'flower').job;
    assert.deepEqual(flower, { kind: 'restart', reason: 'image-rebuilt' });
    assert.equal(componentPlan(plan, 'cleanup').job.kind, 'no-op');

    const outcome = await e2e.deploy(config);
    assert.equal(outcome.status, 'successful', outcome.longStatus);
    assert.equal(task(outcome, 'build:api').state, 'succeeded');
    assert.equal(task(outcome, 'deploy:flower').state, 'succeeded');
    assert.equal(
      outcome.tasks.some((t) => t.component === 'cleanup'),
      false,
      'cleanup untouched',
    );
    const apiPids = e2e.pids('api');
    const flowerPids = e2e.pids('flower');
    assert.equal(apiPids.length, 1);
    assert.equal(flowerPids.length, 1);
    assert.notDeepEqual(apiPids, pids.api, 'api runs the new image');
    assert.notDeepEqual(flowerPids, pids.flower, 'flower restarted on the new image');
    const flowerPort = await e2e.port('flower');
    const page = await waitFor('flower on v2', async () => {
      const text = await httpText(`http://127.0.0.1:${flowerPort}/`);
      return text?.startsWith('worker v2') ? text : undefined;
    });
    assert.match(page, /^worker v2/);
    assert.match((await httpText(`http://127.0.0.1:${await e2e.port('api')}/`)) ?? '', /^api v2/);
  });
});
