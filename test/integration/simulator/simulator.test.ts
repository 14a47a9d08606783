import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TSchema } from '@sinclair/typebox';
import { decodeBuild, decodeJob } from '../../../src/runtimes/toolforge/toolforge-decode.js';
import {
  ListResponse,
  QuotaResponse,
  StartResponse,
} from '../../../src/runtimes/toolforge/wire/builds-api.js';
import { decodeBuildQuota } from '../../../src/runtimes/toolforge/build-quota.js';
import {
  DEFINED_JOB_MODELS,
  UpdateResponse,
  ValidationErrorBody,
} from '../../../src/runtimes/toolforge/wire/jobs-api.js';
import { describeWireError, wireErrors } from '../../../src/runtimes/toolforge/wire/schema.js';
import { startSimulator } from '../../../src/simulator/simulator.js';
import type { Simulator } from '../../../src/simulator/simulator.js';

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

/** The answer fits the project's wire contract (what the runtime decodes). */
function assertFits(schema: TSchema, value: unknown): void {
  const errors = wireErrors(schema, value);
  assert.deepEqual(errors.map(describeWireError), []);
}

describe('simulator: behaviour', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      now,
      seed: 3,
      builds: { durationMs: 1_000, queueMs: 100, failImages: ['broken'], quota: 2 },
      jobs: {
        startMs: 500,
        backoffMs: 100,
        startupProbeMs: 1_000,
        crashLoopJobs: ['crashy'],
        byName: { late: { crashAfterMs: 300 } },
        neverHealthyJobs: ['sick'],
      },
    });
  });
  beforeEach(() => {
    sim.state.builds.clear();
    sim.state.jobs.clear();
  });
  after(() => sim.close());

  const start = (image: string, extra: Record<string, unknown> = { ref: 'main' }) =>
    call(sim, 'POST', '/builds/v1/tool/t1/builds', {
      source_url: 'https://example.org/repo',
      image_name: image,
      ...extra,
    });
  const rawBuilds = async () => {
    const got = await call(sim, 'GET', '/builds/v1/tool/t1/builds');
    assertFits(ListResponse, got.body);
    return got.body.builds as Array<Record<string, unknown>>;
  };
  const listBuilds = async () => (await rawBuilds()).map(decodeBuild);
  const rawJobs = async () => {
    const got = await call(sim, 'GET', '/jobs/v1/tool/t1/jobs');
    const jobs = got.body.jobs as Array<Record<string, unknown>>;
    for (const job of jobs) assertFits(DEFINED_JOB_MODELS[job.job_type as 'continuous'], job);
    return jobs;
  };
  const listJobs = async () => (await rawJobs()).map(decodeJob);
  const upsert = (body: Record<string, unknown>) => call(sim, 'PATCH', '/jobs/v1/tool/t1/jobs/', body);
  const web = {
    job_type: 'continuous',
    imagename: 'tool-t1/web:latest',
    cmd: 'web',
    port: 8000,
    health_check: { type: 'http', path: '/' },
  };

  it('runs a build through pending, running and success; the image tag becomes an image only at the end', async () => {
    const started = await start('web');
    assert.equal(started.status, 200);
    assertFits(StartResponse, started.body);
    const [queued] = await rawBuilds();
    assert.equal(queued?.status, 'BUILD_PENDING');
    assert.equal(queued?.start_time, '', 'builds-api has no start time until the PipelineRun starts');
    assert.match(
      String(queued?.message),
      /^build status is pending and it might not have started running yet/,
    );
    clock += 200;
    const [running] = await rawBuilds();
    assert.equal(running?.destination_image, 'tools-harbor.wmcloud.org/tool-t1/web:latest');
    assert.match(String(running?.message), /^Tasks Completed: 1 \(Failed: 0, Cancelled 0\), Incomplete: 2/);
    const decoded = (await listBuilds())[0];
    assert.equal(decoded?.state, 'running');
    assert.equal(decoded?.image, undefined, 'a tag is not an image');
    clock += 1_000;
    const [done] = await listBuilds();
    assert.equal(done?.state, 'successful');
    assert.match(done?.image ?? '', /^tools-harbor\.wmcloud\.org\/tool-t1\/web:latest@sha256:[0-9a-f]{64}$/);
    assert.equal(done?.resolvedCommit, (started.body.new_build as { resolved_ref: string }).resolved_ref);
  });

  it('takes `ref: null` (upstream components-api\'s "no ref") as the default branch', async () => {
    const started = await start('web', { ref: null });
    assert.equal(started.status, 200);
    const [build] = await rawBuilds();
    assert.equal((build?.parameters as { ref: string }).ref, '');
    assert.equal((await listBuilds())[0]?.ref, undefined);
  });

  it("fails builds of configured images with Tekton's text, cancels running ones", async () => {
    await start('broken');
    const running = await start('web');
    const id = (running.body.new_build as { name: string }).name;
    const cancelled = await call(sim, 'PUT', `/builds/v1/tool/t1/builds/${id}/cancel`);
    assert.equal(cancelled.status, 200);
    clock += 2_000;
    const builds = await listBuilds();
    assert.deepEqual(
      builds.map((b) => b.state),
      ['failed', 'cancelled'],
    );
    assert.match(
      builds[0]?.message ?? '',
      /\(Failed: 1, Cancelled 0\).*Check the logs with `toolforge build logs /,
    );
    assert.equal(
      builds[1]?.message,
      `PipelineRun "${id}" was cancelled. Check the logs with \`toolforge build logs ${id}\``,
    );
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

  it('reports the build limit and the builds counted against it in its quota, beside the registry storage', async () => {
    const quota = async () => (await call(sim, 'GET', '/builds/v1/tool/t1/quotas')).body;
    const before = await quota();
    assertFits(QuotaResponse, before);
    assert.deepEqual(decodeBuildQuota(before), { limit: 2, used: 0 });
    await start('a');
    const after = await quota();
    assert.deepEqual(decodeBuildQuota(after), { limit: 2, used: 1 });
    const categories = (after.quota as { categories: Array<{ name: string; items: unknown[] }> }).categories;
    assert.deepEqual(
      categories.map((c) => c.name),
      ['Registry', 'Builds'],
    );
    assert.deepEqual(categories[1]?.items, [
      { name: 'Concurrent builds', limit: '2', used: '1', available: '1' },
    ]);
  });

  it('rejects bad build requests and unauthenticated calls like builds-api', async () => {
    const bad = await call(sim, 'POST', '/builds/v1/tool/t1/builds', { ref: 'main' });
    assert.equal(bad.status, 400);
    assert.match((bad.body.error as string[])[0] ?? '', /source_url/);
    assert.equal((await call(sim, 'GET', '/builds/v1/tool/t1/builds', undefined, null)).status, 401);
    assert.equal((await call(sim, 'GET', '/builds/v1/tool/t1/builds/nope')).status, 404);
  });

  it('reports a running job as jobs-api does: running, no readiness, whatever its health check', async () => {
    assert.equal((await upsert({ ...web, name: 'web', replicas: 2 })).status, 200);
    let [job] = await rawJobs();
    assert.deepEqual((job?.status as { short: string }).short, 'pending');
    assert.deepEqual(decodeJob(job).state, 'pending');
    clock += 600;
    [job] = await rawJobs();
    assert.deepEqual(job?.status, { short: 'running', duration: '0s', up_to_date: true, messages: [] });
    const decoded = decodeJob(job);
    assert.equal(decoded.state, 'running');
    assert.equal(decoded.health, 'unknown', 'jobs-api cannot tell whether the health check passes');
    assert.equal(decoded.readyReplicas, undefined);
  });

  it('crash-loops as jobs-api reports it: pending, restarted (n), exitcode 1, then crash-looping', async () => {
    await upsert({ ...web, name: 'crashy' });
    clock += 500; // started, crashed at once: waiting out the first back-off
    let [job] = await rawJobs();
    assert.deepEqual((job?.status as { short: string; messages: string[] }).short, 'pending');
    assert.deepEqual((job?.status as { messages: string[] }).messages, ['restarted (1)', 'exitcode 1']);
    assert.match(String(job?.status_long), /Reason 'CrashLoopBackOff'/);
    assert.equal(decodeJob(job).state, 'pending', 'one restart is still coming up');
    assert.equal(decodeJob(job).restarts, 1);
    clock += 100 + 200 + 1; // second and third crash
    [job] = await rawJobs();
    assert.deepEqual((job?.status as { messages: string[] }).messages, ['restarted (3)', 'exitcode 1']);
    const decoded = decodeJob(job);
    assert.equal(decoded.state, 'crash-looping');
    assert.equal(decoded.health, 'unhealthy');
    assert.equal(decoded.message, 'restarted (3), exitcode 1');
  });

  it('a crash a moment after start: running (its uptime growing), then restarted with exit code 1', async () => {
    await upsert({ ...web, name: 'late' });
    clock += 700; // running since 500
    let [job] = await rawJobs();
    assert.equal(decodeJob(job).state, 'running');
    assert.equal(decodeJob(job).runningForMs, 0, 'jobs-api counts its uptime in whole seconds');
    clock += 150; // crashed at 800, waiting out a 100 ms back-off
    [job] = await rawJobs();
    assert.deepEqual((job?.status as { messages: string[] }).messages, ['restarted (1)', 'exitcode 1']);
    clock += 100; // running again since 900
    assert.equal((await listJobs())[0]?.state, 'running');
  });

  it('a health check that never passes: running until the startup probe gives up, then restarts (137)', async () => {
    await upsert({ ...web, name: 'sick' });
    clock += 600;
    assert.equal((await listJobs())[0]?.state, 'running');
    clock += 950; // killed 1 000 ms after it started running, waiting out a 100 ms back-off
    const [job] = await rawJobs();
    assert.deepEqual((job?.status as { messages: string[] }).messages, ['restarted (1)', 'exitcode 137']);
    assert.equal(decodeJob(job).state, 'pending');
  });

  it('accepts `publish` (a boolean) and `retry` on one-off jobs, like the live jobs-api', async () => {
    const published = await upsert({ ...web, name: 'pub', publish: true });
    assert.equal(published.status, 200, JSON.stringify(published.body));
    assert.equal((await listJobs())[0]?.publish, '/');
    const text = await upsert({ ...web, name: 'pub2', publish: '/' });
    assert.equal(text.status, 422);
    assertFits(ValidationErrorBody, text.body);
    assert.deepEqual(
      (text.body.detail as Array<{ type: string; loc: string[] }>).map((d) => `${d.type} ${d.loc.join('.')}`),
      ['bool_type body.publish'],
    );
    const once = await upsert({
      job_type: 'one-off',
      name: 'once',
      imagename: 'python3.11',
      cmd: 'x',
      retry: 2,
    });
    assert.equal(once.status, 200, JSON.stringify(once.body));
  });

  it('reports up_to_date: false for a job changed behind its back, until the next upsert', async () => {
    await upsert({ ...web, name: 'web' });
    const job = sim.state.toolJobs('t1').get('web');
    assert.ok(job);
    job.tampered = true;
    assert.equal((await listJobs())[0]?.upToDate, false);
    const again = await upsert({ ...web, name: 'web' });
    assert.equal(again.body.job_changed, true, 're-applying repairs it');
    assert.equal((await listJobs())[0]?.upToDate, undefined);
  });

  it('registers scheduled jobs and runs them on restart', async () => {
    const cron = {
      job_type: 'scheduled',
      name: 'cron',
      imagename: 'tool-t1/web:latest',
      cmd: 'cleanup',
      schedule: '@daily',
    };
    await upsert(cron);
    const [registered] = await listJobs();
    assert.equal(registered?.state, 'registered');
    assert.equal((await call(sim, 'POST', '/jobs/v1/tool/t1/jobs/cron/restart')).status, 200);
    const got = await call(sim, 'GET', '/jobs/v1/tool/t1/jobs/cron');
    assert.equal(((got.body.job as Record<string, unknown>).status as { short: string }).short, 'running');
  });

  it('reports job_changed only when the stored spec changes (units and registry host normalised)', async () => {
    const base = { job_type: 'continuous', name: 'web', cmd: 'web' };
    const first = await upsert({
      ...base,
      imagename: 'tools-harbor.wmcloud.org/tool-t1/web:latest',
      memory: '256Mi',
      cpu: '500m',
    });
    assertFits(UpdateResponse, first.body);
    assert.equal(first.body.job_changed, true);
    const same = await upsert({
      ...base,
      imagename: 'tool-t1/web:latest',
      memory: '0.25Gi',
      cpu: '0.5',
      replicas: 1,
    });
    assert.equal(same.body.job_changed, false);
    const changed = await upsert({ ...base, imagename: 'tool-t1/web:latest', memory: '1Gi' });
    assert.equal(changed.body.job_changed, true);
    assert.equal((await call(sim, 'DELETE', '/jobs/v1/tool/t1/jobs/web')).status, 200);
    assert.equal((await call(sim, 'DELETE', '/jobs/v1/tool/t1/jobs/web')).status, 404);
  });

  it('validates job requests like jobs-api: 422 for the model, 400 for its own checks', async () => {
    const retry = await upsert({ job_type: 'continuous', name: 'w', imagename: 'i', cmd: 'x', retry: 1 });
    assert.equal(retry.status, 422);
    assert.deepEqual(
      (retry.body.detail as Array<{ type: string; loc: string[] }>).map(
        (d) => `${d.type} ${d.loc.join('.')}`,
      ),
      ['extra_forbidden body.retry'],
    );
    const badName = await upsert({ job_type: 'continuous', name: 'Web_1', imagename: 'i', cmd: 'x' });
    assert.deepEqual(badName, {
      status: 400,
      body: { error: ['Invalid job name. See the documentation for the naming rules: https://w.wiki/6YL8'] },
    });
    const noPort = await upsert({ ...web, name: 'w', port: undefined });
    assert.equal(noPort.status, 400);
    assert.match((noPort.body.error as string[])[0] ?? '', /Port must be set for HTTP health checks/);
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

describe('simulator: defaults', () => {
  it("limits concurrent builds to builds-api's 8 unless told otherwise", async () => {
    const sim = await startSimulator({ builds: { durationMs: 60_000, resolveRefs: 'fake' } });
    try {
      const statuses: number[] = [];
      for (const image of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) {
        const body = { source_url: `https://gitlab.example.org/t1/${image}`, image_name: image };
        statuses.push((await call(sim, 'POST', '/builds/v1/tool/t1/builds', body)).status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 409]);
      const quota = await call(sim, 'GET', '/builds/v1/tool/t1/quotas');
      assert.deepEqual(decodeBuildQuota(quota.body), { limit: 8, used: 8 });
    } finally {
      await sim.close();
    }
  });
});
