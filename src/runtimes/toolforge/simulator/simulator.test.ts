import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBuild, decodeJob } from '../toolforge-decode.js';
import { defaultReferenceDir, loadReferenceSchemas } from './reference-schemas.js';
import { startSimulator } from './simulator.js';
import type { Simulator } from './simulator.js';

interface Exchange {
  readonly label: string;
  readonly request: { readonly method: string; readonly url: string; readonly body: unknown };
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface Detail {
  readonly type: string;
  readonly loc: readonly string[];
  readonly msg: string;
}

const reference = defaultReferenceDir();
const exchanges = (
  JSON.parse(readFileSync(join(reference, 'examples', 'jobs-api.http-examples.json'), 'utf8')) as {
    exchanges: Exchange[];
  }
).exchanges;
const schemas = loadReferenceSchemas(reference);

const MODEL_OF: Record<string, string> = {
  continuous: 'NewContinuousJob',
  scheduled: 'NewScheduledJob',
  'one-off': 'NewOneOffJob',
};

let clock = 1_800_000_000_000;
const now = (): number => clock;

async function call(
  sim: Simulator,
  method: string,
  path: string,
  body?: unknown,
  tool: string | null = 't1',
) {
  const headers: Record<string, string> = {};
  if (tool) headers['x-toolforge-tool'] = tool;
  if (body !== undefined && body !== null) headers['content-type'] = 'application/json';
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    body: body === undefined || body === null ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: response.status, body: json };
}

function assertValid(api: 'builds' | 'jobs', schema: string, value: unknown): void {
  const validate = schemas.validator(api, schema);
  assert.ok(validate(value), `${schema}: ${JSON.stringify(validate.errors)}`);
}

describe('simulator: jobs-api reference exchanges', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ now });
  });
  beforeEach(() => sim.state.jobs.clear());
  after(() => sim.close());

  for (const exchange of exchanges) {
    it(`${exchange.label}: ${exchange.status}`, async () => {
      const { method, url, body } = exchange.request;
      const got = await call(sim, method, `/jobs${url}`, body, exchange.label === 'no header' ? null : 't1');
      assert.equal(got.status, exchange.status);
      if (exchange.status === 422) {
        // The reference lists errors for every member of the body union; we report those of the chosen model.
        const requested = body as { job_type: string };
        const model = MODEL_OF[requested.job_type] ?? '';
        const expected = (exchange.body.detail as Detail[])
          .filter((d) => String(d.loc[1]).includes(model))
          .map((d) => `${d.type} ${String(d.loc.at(-1))}: ${d.msg}`);
        const actual = (got.body.detail as Detail[]).map(
          (d) => `${d.type} ${String(d.loc.at(-1))}: ${d.msg}`,
        );
        assert.ok(expected.length > 0);
        assert.deepEqual(actual.sort(), expected.sort());
      } else if (exchange.label === 'post create') {
        const job = got.body.job as Record<string, unknown>;
        assert.deepEqual(Object.keys(job).sort(), Object.keys(exchange.body.job as object).sort());
      } else if (exchange.label.includes('health check without port')) {
        const [text] = got.body.error as string[];
        const [expected] = exchange.body.error as string[];
        assert.equal(text?.split('input_value=')[0], expected?.split('input_value=')[0]);
      } else {
        assert.deepEqual(got.body, exchange.body);
      }
    });
  }
});

describe('simulator: behaviour', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      now,
      seed: 3,
      builds: { durationMs: 1_000, queueMs: 100, failImages: ['broken'], quota: 2 },
      jobs: { startMs: 500, healthyMs: 500, crashLoopJobs: ['crashy'] },
    });
  });
  beforeEach(() => {
    sim.state.builds.clear();
    sim.state.jobs.clear();
  });
  after(() => sim.close());

  const start = (image: string) =>
    call(sim, 'POST', '/builds/v1/tool/t1/builds', {
      source_url: 'https://example.org/repo',
      ref: 'main',
      image_name: image,
    });
  const listBuilds = async () => {
    const got = await call(sim, 'GET', '/builds/v1/tool/t1/builds');
    assertValid('builds', 'ListResponse', got.body);
    return (got.body.builds as unknown[]).map(decodeBuild);
  };
  const listJobs = async () => {
    const got = await call(sim, 'GET', '/jobs/v1/tool/t1/jobs');
    for (const job of got.body.jobs as Array<Record<string, unknown>>) {
      // The reference's three job status schemas overlap (a oneOf nothing can satisfy): check status separately.
      const { status, ...rest } = job;
      assertValid(
        'jobs',
        job.job_type === 'scheduled' ? 'DefinedScheduledJob' : 'DefinedContinuousJob',
        rest,
      );
      assertValid('jobs', 'CommonJobStatus', status);
    }
    return (got.body.jobs as unknown[]).map(decodeJob);
  };

  it('runs a build through pending, running and success, with an image only at the end', async () => {
    const started = await start('web');
    assert.equal(started.status, 200);
    assertValid('builds', 'StartResponse', started.body);
    assert.equal((await listBuilds())[0]?.state, 'pending');
    clock += 200;
    assert.equal((await listBuilds())[0]?.state, 'running');
    assert.equal((await listBuilds())[0]?.image, undefined);
    clock += 1_000;
    const [done] = await listBuilds();
    assert.equal(done?.state, 'successful');
    assert.match(done?.image ?? '', /^tools-harbor\.wmcloud\.org\/tool-t1\/web:latest@sha256:[0-9a-f]{64}$/);
    assert.equal(done?.resolvedCommit, (started.body.new_build as { resolved_ref: string }).resolved_ref);
  });

  it('fails builds of configured images, cancels running ones', async () => {
    await start('broken');
    const running = await start('web');
    const id = (running.body.new_build as { name: string }).name;
    const cancelled = await call(sim, 'PUT', `/builds/v1/tool/t1/builds/${id}/cancel`);
    assert.equal(cancelled.status, 200);
    clock += 2_000;
    const states = (await listBuilds()).map((b) => b.state);
    assert.deepEqual(states, ['failed', 'cancelled']);
    const again = await call(sim, 'PUT', `/builds/v1/tool/t1/builds/${id}/cancel`);
    assert.equal(again.status, 409);
  });

  it('answers 409 beyond the concurrent build quota', async () => {
    await start('a');
    await start('b');
    const third = await start('c');
    assert.equal(third.status, 409);
    assert.match((third.body.error as string[])[0] ?? '', /Build limit reached/);
    clock += 2_000;
    assert.equal((await start('c')).status, 200);
  });

  it('rejects bad build requests and unauthenticated calls like builds-api', async () => {
    const bad = await call(sim, 'POST', '/builds/v1/tool/t1/builds', { ref: 'main' });
    assert.equal(bad.status, 400);
    assert.match((bad.body.error as string[])[0] ?? '', /source_url/);
    assert.equal((await call(sim, 'GET', '/builds/v1/tool/t1/builds', undefined, null)).status, 401);
    assert.equal((await call(sim, 'GET', '/builds/v1/tool/t1/builds/nope')).status, 404);
  });

  it('starts jobs, makes them healthy after the delay, crash-loops configured ones', async () => {
    const spec = {
      job_type: 'continuous',
      imagename: 'tool-t1/web:latest',
      cmd: 'web',
      port: 8000,
      health_check: { type: 'http', path: '/' },
    };
    assert.equal((await call(sim, 'PATCH', '/jobs/v1/tool/t1/jobs/', { ...spec, name: 'web' })).status, 200);
    assert.equal(
      (await call(sim, 'PATCH', '/jobs/v1/tool/t1/jobs/', { ...spec, name: 'crashy' })).status,
      200,
    );
    let jobs = await listJobs();
    assert.deepEqual(
      jobs.map((j) => [j.name, j.state, j.health]),
      [
        ['web', 'pending', 'starting'],
        ['crashy', 'pending', 'starting'],
      ],
    );
    clock += 600;
    jobs = await listJobs();
    assert.deepEqual(
      jobs.map((j) => [j.name, j.state, j.health]),
      [
        ['web', 'running', 'starting'],
        ['crashy', 'crash-looping', 'unhealthy'],
      ],
    );
    clock += 500;
    assert.equal((await listJobs())[0]?.health, 'healthy');
  });

  it('registers scheduled jobs and runs them on restart', async () => {
    const cron = {
      job_type: 'scheduled',
      name: 'cron',
      imagename: 'tool-t1/web:latest',
      cmd: 'cleanup',
      schedule: '@daily',
    };
    await call(sim, 'PATCH', '/jobs/v1/tool/t1/jobs/', cron);
    const [registered] = await listJobs();
    assert.equal(registered?.state, 'registered');
    assert.equal((await call(sim, 'POST', '/jobs/v1/tool/t1/jobs/cron/restart')).status, 200);
    const got = await call(sim, 'GET', '/jobs/v1/tool/t1/jobs/cron');
    assert.equal(((got.body.job as Record<string, unknown>).status as { short: string }).short, 'running');
  });

  it('reports job_changed only when the stored spec changes (units and registry host normalised)', async () => {
    const base = { job_type: 'continuous', name: 'web', cmd: 'web' };
    const first = await call(sim, 'PATCH', '/jobs/v1/tool/t1/jobs/', {
      ...base,
      imagename: 'tools-harbor.wmcloud.org/tool-t1/web:latest',
      memory: '256Mi',
      cpu: '500m',
    });
    assertValid('jobs', 'UpdateResponse', first.body);
    assert.equal(first.body.job_changed, true);
    const same = await call(sim, 'PATCH', '/jobs/v1/tool/t1/jobs/', {
      ...base,
      imagename: 'tool-t1/web:latest',
      memory: '0.25Gi',
      cpu: '0.5',
      replicas: 1,
    });
    assert.equal(same.body.job_changed, false);
    const changed = await call(sim, 'PATCH', '/jobs/v1/tool/t1/jobs/', {
      ...base,
      imagename: 'tool-t1/web:latest',
      memory: '1Gi',
    });
    assert.equal(changed.body.job_changed, true);
    assert.equal((await call(sim, 'DELETE', '/jobs/v1/tool/t1/jobs/web')).status, 200);
    assert.equal((await call(sim, 'DELETE', '/jobs/v1/tool/t1/jobs/web')).status, 404);
  });

  it('keeps jobs of different tools apart and refuses another tool', async () => {
    const got = await call(sim, 'GET', '/jobs/v1/tool/t1/jobs', undefined, 't2');
    assert.equal(got.status, 403);
  });
});

describe('simulator: determinism and faults', () => {
  it('replays build ids and failures with the same seed', async () => {
    const runs: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const sim = await startSimulator({ seed: 99, builds: { failRate: 0.5, durationMs: 0 } });
      try {
        for (let b = 0; b < 6; b++) {
          await call(sim, 'POST', '/builds/v1/tool/t1/builds', {
            source_url: 'https://example.org/r',
            image_name: `i${b}`,
          });
        }
        const listed = await call(sim, 'GET', '/builds/v1/tool/t1/builds');
        runs.push((listed.body.builds as unknown[]).map(decodeBuild).map((b) => `${b.id} ${b.state}`));
      } finally {
        await sim.close();
      }
    }
    assert.deepEqual(runs[0], runs[1]);
    assert.ok(runs[0]?.some((r) => r.endsWith('failed')));
    assert.ok(runs[0]?.some((r) => r.endsWith('successful')));
  });

  it('injects errors at the configured rate and counts calls per route', async () => {
    const sim = await startSimulator({ seed: 5, faults: { errorRate: 0.5 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await call(sim, 'GET', '/jobs/v1/tool/t1/jobs')).status);
      const failures = statuses.filter((s) => s === 503).length;
      assert.ok(failures > 5 && failures < 35, `failures: ${failures}`);
      assert.equal(sim.stats().injectedErrors, failures);
      assert.equal(sim.stats().routes['GET /jobs/v1/tool/:tool_name/jobs'], 40);
      assert.equal(sim.stats().jobs, 40);
    } finally {
      await sim.close();
    }
  });
});
