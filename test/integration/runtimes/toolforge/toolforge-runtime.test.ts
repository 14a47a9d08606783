import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RuntimeError } from '../../../../src/runtimes/runtime.js';
import type { BuildRequest } from '../../../../src/model/build-request.js';
import type { JobSpec } from '../../../../src/model/job-spec.js';
import { startSimulator } from '../../../../src/simulator/simulator.js';
import type { Simulator } from '../../../../src/simulator/simulator.js';
import { ToolforgeRuntime } from '../../../../src/runtimes/toolforge/toolforge-runtime.js';
import { refusingPort } from '../../../support/ports.js';
import type { ToolforgeRuntimeOptions } from '../../../../src/runtimes/toolforge/toolforge-runtime.js';

const TOOL = 't1';
const START = 'POST /builds/v1/tool/:toolname/builds';
const build: BuildRequest = {
  imageName: 'web',
  repository: 'https://gitlab.example.org/t1/web',
  ref: 'main',
  useLatestVersions: false,
  useDeprecatedVersions: false,
};
const web: JobSpec = { name: 'web', type: 'continuous', image: 'tool-t1/web:latest', command: 'web' };

function isRuntimeError(kind: RuntimeError['kind'], pattern?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RuntimeError, `expected a RuntimeError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

describe('ToolforgeRuntime against the simulator', () => {
  let sim: Simulator;
  const runtimes: ToolforgeRuntime[] = [];

  function client(options: Partial<ToolforgeRuntimeOptions> = {}): ToolforgeRuntime {
    const runtime = new ToolforgeRuntime({
      apiUrl: sim.url,
      timeoutMs: 2_000,
      ...options,
    });
    runtimes.push(runtime);
    return runtime;
  }

  before(async () => {
    sim = await startSimulator({ seed: 42, builds: { durationMs: 20 }, jobs: { startMs: 5 } });
  });
  beforeEach(() => {
    sim.configure({ faults: {}, builds: { durationMs: 20 } });
    sim.state.builds.clear();
    sim.state.jobs.clear();
    sim.resetStats();
  });
  after(async () => {
    await Promise.all(runtimes.map((r) => r.close()));
    await sim.close();
  });

  it('observes with exactly one builds call and one jobs call', async () => {
    const runtime = client();
    await runtime.startBuild(TOOL, build);
    await runtime.upsertJob(TOOL, web);
    runtime.resetStats();
    sim.resetStats();
    const snapshot = await runtime.observe(TOOL);
    assert.equal(snapshot.builds.length, 1);
    assert.equal(snapshot.jobs.length, 1);
    assert.deepEqual(runtime.stats(), { builds: 1, jobs: 1, logs: 0 });
    assert.equal(sim.stats().builds, 1);
    assert.equal(sim.stats().jobs, 1);
  });

  it('sends the build parameters builds-api expects and returns the new build', async () => {
    const started = await client().startBuild(TOOL, build);
    assert.match(started.id, /^t1-buildpacks-pipelinerun-/);
    assert.match(started.resolvedCommit ?? '', /^[0-9a-f]{40}$/);
    const stored = sim.state.findBuild(TOOL, started.id);
    assert.deepEqual(stored?.parameters, {
      source_url: build.repository,
      ref: 'main',
      image_name: 'web',
      use_latest_versions: false,
      use_deprecated_versions: false,
      envvars: {},
    });
  });

  it('makes one attempt per call: an injected 5xx is an unavailable error (the guard retries, not the client)', async () => {
    const runtime = client();
    sim.configure({ faults: { errorRate: 1, errorStatus: 500 } });
    await assert.rejects(
      runtime.upsertJob(TOOL, web),
      isRuntimeError('unavailable', /^jobs-api error \(HTTP 500\): Simulated failure \(HTTP 500\)$/),
    );
    assert.equal(runtime.stats().jobs, 1);
  });

  it('fails a call that does not answer in time after one request, which did reach jobs-api', async () => {
    const runtime = client({ timeoutMs: 150 });
    sim.configure({
      faults: { slowRate: 1, slowMs: 1_000, onlyRoutes: ['PATCH /jobs/v1/tool/:tool_name/jobs'] },
    });
    await assert.rejects(
      runtime.upsertJob(TOOL, web),
      isRuntimeError('unavailable', /did not answer within 150 ms/),
    );
    assert.equal(runtime.stats().jobs, 1);
    sim.configure({ faults: {} });
    // The timed-out request was carried out: the job exists and this upsert changes nothing.
    assert.equal((await runtime.upsertJob(TOOL, web)).changed, false);
  });

  it('does not start a second build when a start timed out after taking effect', async () => {
    const runtime = client({ timeoutMs: 150 });
    sim.configure({ faults: { slowRate: 1, slowMs: 1_000, onlyRoutes: [START] } });
    const started = await runtime.startBuild(TOOL, build);
    assert.equal(sim.stats().buildsStarted, 1);
    assert.equal(sim.stats().routes[START], 1);
    assert.equal(sim.state.toolBuilds(TOOL)[0]?.id, started.id);
  });

  it('adopts a build still queued (no start time yet) after an ambiguous start', async () => {
    const runtime = client({ timeoutMs: 150 });
    sim.configure({
      builds: { durationMs: 60_000, queueMs: 30_000 },
      faults: { slowRate: 1, slowMs: 1_000, onlyRoutes: [START] },
    });
    const started = await runtime.startBuild(TOOL, build);
    assert.equal(sim.stats().buildsStarted, 1);
    assert.equal(sim.state.toolBuilds(TOOL)[0]?.id, started.id);
  });

  it('never repeats a start itself: one that failed before taking effect throws a retryable error', async () => {
    const runtime = client();
    sim.configure({ faults: { failFirst: 1, onlyRoutes: [START] } });
    await assert.rejects(runtime.startBuild(TOOL, build), (error: unknown) => {
      isRuntimeError('unavailable', /HTTP 503/)(error);
      assert.equal((error as RuntimeError).retryable, true);
      return true;
    });
    // One start, then one look for a build it may have created (there is none).
    assert.equal(sim.stats().routes[START], 1);
    assert.equal(sim.stats().routes['GET /builds/v1/tool/:toolname/builds'], 1);
    assert.equal(sim.stats().buildsStarted, 0);
  });

  it("answers builds-api's 409 build limit with a retryable quota error, after one request", async () => {
    const runtime = client();
    sim.configure({ builds: { durationMs: 60_000, quota: 1 } });
    await runtime.startBuild(TOOL, build);
    await assert.rejects(runtime.startBuild(TOOL, { ...build, imageName: 'other' }), (error: unknown) => {
      isRuntimeError('quota', /Build limit reached/)(error);
      assert.equal((error as RuntimeError).retryable, true);
      return true;
    });
    assert.equal(sim.stats().routes[START], 2);
  });

  it("reads builds-api's build quota once, then keeps it current from its own starts and builds lists", async () => {
    const QUOTAS = 'GET /builds/v1/tool/:toolname/quotas';
    const runtime = client({ quotaCache: { usedTtlMs: 60_000 } });
    sim.configure({ builds: { durationMs: 60_000, quota: 3 } });
    assert.deepEqual(await runtime.buildQuota(TOOL), { limit: 3, used: 0 });
    const first = await runtime.startBuild(TOOL, build);
    await runtime.startBuild(TOOL, { ...build, imageName: 'other' });
    assert.deepEqual(await runtime.buildQuota(TOOL), { limit: 3, used: 2 });
    await runtime.cancelBuild(TOOL, first.id);
    await runtime.observe(TOOL, { parts: ['builds'] });
    assert.deepEqual(await runtime.buildQuota(TOOL), { limit: 3, used: 1 });
    assert.equal(sim.stats().routes[QUOTAS], 1);
  });

  it('reads the quota again once its count is older than the cache allows', async () => {
    const QUOTAS = 'GET /builds/v1/tool/:toolname/quotas';
    const runtime = client({ quotaCache: { usedTtlMs: 0 } });
    await runtime.buildQuota(TOOL);
    assert.deepEqual(await runtime.buildQuota(TOOL), { limit: 8, used: 0 });
    assert.equal(sim.stats().routes[QUOTAS], 2);
  });

  it('after a 409 counts the quota as full without asking', async () => {
    const runtime = client({ quotaCache: { usedTtlMs: 60_000 } });
    sim.configure({ builds: { durationMs: 60_000, quota: 1 } });
    assert.deepEqual(await runtime.buildQuota(TOOL), { limit: 1, used: 0 });
    // Another client takes the slot behind our back.
    await client().startBuild(TOOL, build);
    await assert.rejects(runtime.startBuild(TOOL, { ...build, imageName: 'other' }), isRuntimeError('quota'));
    assert.deepEqual(await runtime.buildQuota(TOOL), { limit: 1, used: 1 });
  });

  it('gives no limit, after one request, when the quota cannot be read (the 409 then governs)', async () => {
    const QUOTAS = 'GET /builds/v1/tool/:toolname/quotas';
    const runtime = client({ quotaCache: { usedTtlMs: 60_000 } });
    sim.configure({ faults: { errorRate: 1, errorStatus: 500, onlyRoutes: [QUOTAS] } });
    assert.deepEqual(await runtime.buildQuota(TOOL), { used: 0 });
    assert.deepEqual(await runtime.buildQuota(TOOL), { used: 0 });
    assert.equal(sim.stats().routes[QUOTAS], 1);
  });

  it('learns the limit from a 409 when builds-api reports none, until it reads the quota again', async () => {
    const QUOTAS = 'GET /builds/v1/tool/:toolname/quotas';
    const runtime = client({ quotaCache: { usedTtlMs: 60_000 } });
    sim.configure({
      builds: { durationMs: 60_000, quota: 2 },
      faults: { errorRate: 1, errorStatus: 500, onlyRoutes: [QUOTAS] },
    });
    assert.deepEqual(await runtime.buildQuota(TOOL), { used: 0 });
    await runtime.startBuild(TOOL, build);
    await runtime.startBuild(TOOL, { ...build, imageName: 'b2' });
    await assert.rejects(runtime.startBuild(TOOL, { ...build, imageName: 'b3' }), isRuntimeError('quota'));
    assert.deepEqual(await runtime.buildQuota(TOOL), { limit: 2, used: 2 });
  });

  it("surfaces jobs-api's 400 text without retrying", async () => {
    const runtime = client();
    await assert.rejects(
      runtime.upsertJob(TOOL, { ...web, name: 'Web_1' }),
      isRuntimeError(
        'rejected',
        /^Invalid job name\. See the documentation for the naming rules: https:\/\/w\.wiki\/6YL8$/,
      ),
    );
    assert.equal(runtime.stats().jobs, 1);
  });

  it("surfaces jobs-api's 422 detail", async () => {
    await assert.rejects(
      client().upsertJob(TOOL, { ...web, replicas: 0 }),
      isRuntimeError('rejected', /replicas: Input should be greater than or equal to 1/),
    );
  });

  it("sends the config's `publish: /` as jobs-api's boolean", async () => {
    await client().upsertJob(TOOL, { ...web, port: 8000, publish: '/' });
    assert.equal(sim.state.toolJobs(TOOL).get('web')?.spec.publish, true);
    const [job] = (await client().observe(TOOL)).jobs;
    assert.equal(job?.publish, '/');
  });

  it('upserts, restarts and deletes jobs; deleting a missing job succeeds', async () => {
    const runtime = client();
    const created = await runtime.upsertJob(TOOL, web);
    assert.deepEqual(created, {
      changed: true,
      messages: { info: ['Job web created in storage and runtime'], warning: [], error: [] },
    });
    const changed = await runtime.upsertJob(TOOL, { ...web, memory: '1Gi' });
    assert.equal(changed.changed, true);
    await runtime.restartJob(TOOL, 'web');
    await runtime.deleteJob(TOOL, 'web');
    await runtime.deleteJob(TOOL, 'web');
    await assert.rejects(
      runtime.restartJob(TOOL, 'web'),
      isRuntimeError('not-found', /Job 'web' does not exist/),
    );
  });

  it('cancels builds; cancelling an ended build is a no-op; a missing one is not-found', async () => {
    const runtime = client();
    sim.configure({ builds: { durationMs: 60_000 } });
    const running = await runtime.startBuild(TOOL, build);
    await runtime.cancelBuild(TOOL, running.id);
    assert.equal((await runtime.observe(TOOL)).builds[0]?.state, 'cancelled');
    await runtime.cancelBuild(TOOL, running.id);
    await assert.rejects(runtime.cancelBuild(TOOL, 'nope'), isRuntimeError('not-found'));
  });

  it('reads build logs and job logs', async () => {
    const runtime = client();
    const started = await runtime.startBuild(TOOL, build);
    const lines = await runtime.buildLogs(TOOL, started.id);
    assert.match(lines[0] ?? '', /^\[step-clone\] Cloning https:\/\/gitlab\.example\.org\/t1\/web/);
    await runtime.upsertJob(TOOL, web);
    const logs: string[] = [];
    for await (const line of runtime.jobLogs(TOOL, 'web')) logs.push(line);
    assert.match(logs[0] ?? '', /\[web\] starting: web/);
  });

  it('passes a caller abort through without retrying', async () => {
    const runtime = client();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(runtime.observe(TOOL, { signal: controller.signal }), /stop/);
  });
});

describe('ToolforgeRuntime without a server', () => {
  it('reports an unreachable API as unavailable after one attempt per list', async () => {
    const refusing = await refusingPort();
    const runtime = new ToolforgeRuntime({ apiUrl: `http://127.0.0.1:${refusing.port}` });
    try {
      await assert.rejects(
        runtime.observe(TOOL),
        isRuntimeError('unavailable', /cannot reach .*ECONNREFUSED/),
      );
      assert.deepEqual(runtime.stats(), { builds: 1, jobs: 1, logs: 0 });
    } finally {
      await runtime.close();
      await refusing.release();
    }
  });
});
