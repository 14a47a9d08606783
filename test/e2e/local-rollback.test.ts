/**
 * Rollback on the local runtime through the real API: two deployments of two commits, then a rollback to the
 * first — no build, the first build's image running again, its config stored again — and a rollback refused
 * for a deployment that failed, changing nothing. Real git repositories, real processes, SQLite.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { APP_FILES, commitFiles, httpText, openE2e, type E2e } from '../support/local-e2e.js';
import { toolConfig } from '../support/local-e2e-config.js';

interface Answer {
  readonly status: number;
  readonly data: Record<string, unknown>;
  readonly errors: readonly string[];
}

async function api(e2e: E2e, method: string, path: string): Promise<Answer> {
  const response = await fetch(`${e2e.instance.url}/v1/tool/${e2e.tool}${path}`, {
    method,
    headers: { 'x-toolforge-tool': e2e.tool },
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; messages?: { error?: string[] } };
  return { status: response.status, data: body.data ?? {}, errors: body.messages?.error ?? [] };
}

const head = (repo: string): string =>
  execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD']).toString().trim();

type Deployed = Record<string, { commit?: string; build_id?: string; image?: string }>;

describe('local e2e: rollback', () => {
  let e2e: E2e;
  let first: { id: string; commit: string; config: Record<string, unknown> };
  let buildsBefore: number;

  before(async () => {
    e2e = await openE2e('rollback');
    const config = await toolConfig(e2e);
    const one = await e2e.deploy(config);
    assert.equal(one.status, 'successful', one.longStatus);
    first = { id: one.id, commit: head(e2e.repos.app), config };
    commitFiles(
      e2e.repos.app,
      { ...APP_FILES, 'server.js': APP_FILES['server.js']?.replace('v${version}', 'v2-${version}') ?? '' },
      'v2',
    );
    // The second config also changes a field, so the rollback has a config difference to show too.
    const second = await toolConfig(e2e, {
      cleanup: {
        type: 'scheduled',
        build: { repository: e2e.repos.cron },
        run: { command: 'cleanup', schedule: '@hourly' },
        'wait-for': ['api'],
      },
    });
    const two = await e2e.deploy(second);
    assert.equal(two.status, 'successful', two.longStatus);
    assert.ok(
      two.tasks.some((t) => t.id === 'build:api'),
      'the new commit was built',
    );
    assert.match((await httpText(`http://127.0.0.1:${await e2e.port('api')}/`)) ?? '', /^web v2-/);
    buildsBefore = (await e2e.runtime.observe(e2e.tool)).builds.length;
  });
  after(() => e2e?.close());

  it('plans the rollback without a build: the first build reused, the api and its image user restarted', async () => {
    const planned = await api(e2e, 'POST', '/deployment/rollback?only-plan=true');
    assert.equal(planned.status, 200, planned.errors.join('\n'));
    assert.equal(planned.data.rollback_to, first.id);
    const components = planned.data.components as {
      name: string;
      job: { kind: string };
      build?: { kind: string; commit?: string };
    }[];
    const byName = new Map(components.map((c) => [c.name, c]));
    assert.equal(byName.get('api')?.build?.kind, 'reuse-build');
    assert.equal(byName.get('api')?.build?.commit, first.commit);
    assert.equal(byName.get('api')?.job.kind, 'restart');
    assert.equal(byName.get('flower')?.job.kind, 'restart');
    assert.equal(byName.get('cleanup')?.job.kind, 'update', 'the schedule goes back to @daily');
    const tasks = planned.data.tasks as { id: string }[];
    assert.equal(tasks.filter((t) => t.id.startsWith('build:')).length, 0, 'nothing to build');
  });

  it('rolls back to the previous deployment: no build, its commit and image run again, its config is stored', async () => {
    const started = await api(e2e, 'POST', '/deployment/rollback?wait=60');
    assert.equal(started.status, 200, started.errors.join('\n'));
    const rollback = started.data;
    assert.equal(rollback.status, 'successful', String(rollback.long_status));
    assert.equal(rollback.description, `Rollback to ${first.id}`);
    assert.equal(rollback.rollback_to, first.id);
    const tasks = rollback.tasks as { id: string; state: string }[];
    assert.deepEqual(tasks.map((t) => t.id).sort(), ['deploy:api', 'deploy:cleanup', 'deploy:flower']);
    assert.equal((await e2e.runtime.observe(e2e.tool)).builds.length, buildsBefore, 'no build was started');

    const firstDeployed = (await api(e2e, 'GET', `/deployment/${first.id}`)).data.deployed as Deployed;
    const deployed = rollback.deployed as Deployed;
    assert.equal(deployed.api?.commit, first.commit);
    assert.equal(deployed.api?.image, firstDeployed.api?.image, 'the first build image, not a new one');
    assert.equal(deployed.flower?.image, firstDeployed.api?.image);
    assert.match((await httpText(`http://127.0.0.1:${await e2e.port('api')}/`)) ?? '', /^web v1 /);

    const config = await api(e2e, 'GET', '/config');
    assert.deepEqual(config.data, first.config, "the first deployment's config is the stored config again");
    const status = await api(e2e, 'GET', '/status');
    assert.equal(status.data.undeployedChanges, false);
    assert.equal(status.data.lastSuccessfulDeployment, rollback.deploy_id);
  });

  it('refuses to roll back to a deployment that never succeeded, and changes nothing', async () => {
    const crashing = await toolConfig(e2e, {
      api: {
        type: 'continuous',
        build: { repository: e2e.repos.app },
        run: { command: 'crash', port: await e2e.port('api'), 'health-check-http': '/healthz' },
      },
    });
    const failed = await e2e.deploy(crashing);
    assert.equal(failed.status, 'failed', failed.longStatus);
    const status = await api(e2e, 'GET', '/status');
    assert.equal(status.data.undeployedChanges, true, 'the stored config never deployed successfully');
    const deploymentsBefore = ((await api(e2e, 'GET', '/deployment')).data.deployments as unknown[]).length;

    const refused = await api(e2e, 'POST', `/deployment/${failed.id}/rollback`);
    assert.equal(refused.status, 409);
    assert.deepEqual(refused.errors, [
      `Deployment ${failed.id} cannot be rolled back to: it is failed, and only a successful deployment is a version that worked`,
    ]);
    const refusedPlan = await api(e2e, 'POST', `/deployment/${failed.id}/rollback?only-plan=true`);
    assert.equal(refusedPlan.status, 409, 'also when only planning');
    assert.equal(
      ((await api(e2e, 'GET', '/deployment')).data.deployments as unknown[]).length,
      deploymentsBefore,
    );
    assert.deepEqual((await api(e2e, 'GET', '/config')).data, crashing, 'the stored config is untouched');
  });
});
