/**
 * The one guard (`src/runtimes/guarded-runtime.ts`) around the Toolforge runtime, against the simulator's fault
 * injection: together they make one request per attempt, retry reads only, and never start a build twice.
 * (The guard's own rules, on the fake runtime: `src/runtimes/guarded-runtime.test.ts`.)
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GuardedRuntime } from '../../../../src/runtimes/guarded-runtime.js';
import { RuntimeError } from '../../../../src/runtimes/runtime.js';
import type { BuildRequest } from '../../../../src/model/build-request.js';
import type { JobSpec } from '../../../../src/model/job-spec.js';
import { startSimulator, type Simulator } from '../../../../src/simulator/simulator.js';
import { ToolforgeRuntime } from '../../../../src/runtimes/toolforge/toolforge-runtime.js';

const TOOL = 't1';
const START = 'POST /builds/v1/tool/:toolname/builds';
const LIST_BUILDS = 'GET /builds/v1/tool/:toolname/builds';
const LIST_JOBS = 'GET /jobs/v1/tool/:tool_name/jobs';
const UPSERT = 'PATCH /jobs/v1/tool/:tool_name/jobs';
const build: BuildRequest = {
  imageName: 'web',
  repository: 'https://gitlab.example.org/t1/web',
  useLatestVersions: false,
  useDeprecatedVersions: false,
};
const web: JobSpec = { name: 'web', type: 'continuous', image: 'tool-t1/web:latest', command: 'web' };

function runtimeError(kind: RuntimeError['kind'], pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RuntimeError, `expected a RuntimeError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('GuardedRuntime around the Toolforge runtime, under the simulator’s faults', () => {
  let sim: Simulator;
  const clients: ToolforgeRuntime[] = [];

  function guarded(httpTimeoutMs = 2_000, guard: ConstructorParameters<typeof GuardedRuntime>[1] = {}) {
    const inner = new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs: httpTimeoutMs });
    clients.push(inner);
    return new GuardedRuntime(inner, { retryBaseMs: 5, ...guard });
  }

  before(async () => {
    sim = await startSimulator({
      seed: 5,
      builds: { durationMs: 50, resolveRefs: 'fake' },
      jobs: { startMs: 5 },
    });
  });
  beforeEach(() => {
    sim.configure({ faults: {} });
    sim.state.builds.clear();
    sim.state.jobs.clear();
    sim.resetStats();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
  });

  it('retries a read through injected 5xx: each attempt is one request', async () => {
    const runtime = guarded();
    sim.configure({ faults: { failFirst: 2, onlyRoutes: [LIST_JOBS] } });
    const snapshot = await runtime.observe(TOOL);
    assert.deepEqual(snapshot.jobs, []);
    assert.equal(sim.stats().routes[LIST_JOBS], 3);
    assert.equal(sim.stats().injectedErrors, 2);
  });

  it('passes the last error on after its read attempts, with no second layer of retries below', async () => {
    const runtime = guarded(2_000, { readAttempts: 3 });
    sim.configure({ faults: { errorRate: 1, onlyRoutes: [LIST_JOBS] } });
    await assert.rejects(
      runtime.observe(TOOL, { parts: ['jobs'] }),
      runtimeError('unavailable', /jobs-api error \(HTTP 503\)/),
    );
    assert.equal(sim.stats().routes[LIST_JOBS], 3);
  });

  it('makes a change once: a failed upsert is not repeated blindly (the executor looks first)', async () => {
    const runtime = guarded();
    sim.configure({ faults: { errorRate: 1, onlyRoutes: [UPSERT] } });
    await assert.rejects(runtime.upsertJob(TOOL, web), runtimeError('unavailable', /HTTP 503/));
    assert.equal(sim.stats().routes[UPSERT], 1);
  });

  it('never starts a build twice: a start whose answer was lost is adopted, after one POST', async () => {
    const runtime = guarded(150);
    sim.configure({ faults: { slowRate: 1, slowMs: 1_000, onlyRoutes: [START] } });
    const started = await runtime.startBuild(TOOL, build);
    assert.equal(sim.stats().routes[START], 1);
    assert.equal(sim.stats().buildsStarted, 1);
    assert.equal(sim.state.toolBuilds(TOOL)[0]?.id, started.id);
  });

  it('does not retry what retrying cannot fix (a 4xx)', async () => {
    const runtime = guarded();
    await assert.rejects(runtime.restartJob(TOOL, 'missing'), runtimeError('not-found', /does not exist/));
    assert.equal(sim.stats().routes['POST /jobs/v1/tool/:tool_name/jobs/:id/restart'], 1);
    await assert.rejects(
      runtime.buildLogs?.(TOOL, 'nope') ?? Promise.resolve(),
      runtimeError('not-found', /not found/),
    );
    assert.equal(sim.stats().routes['GET /builds/v1/tool/:toolname/builds/:id/logs'], 1);
  });

  it('ends a call at its time limit per kind, and aborts the request so the client stops waiting', async () => {
    // The HTTP client would wait 5 s; the guard allows observing 100 ms.
    const runtime = guarded(5_000, { readAttempts: 1, callTimeoutsMs: { observe: 100 } });
    sim.configure({ faults: { slowRate: 1, slowMs: 2_000, onlyRoutes: [LIST_BUILDS] } });
    const began = Date.now();
    await assert.rejects(
      runtime.observe(TOOL, { parts: ['builds'] }),
      runtimeError('unavailable', /^no answer within 100ms$/),
    );
    assert.ok(Date.now() - began < 1_500, 'the guard did not wait for the slow answer');
  });

  it('passes a caller’s abort through untouched and does not retry it', async () => {
    const runtime = guarded();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(runtime.observe(TOOL, { signal: controller.signal }), /stop/);
    assert.equal(sim.stats().routes[LIST_JOBS] ?? 0, 0);
  });

  it('reads the quota through the guard, so it is there when the runtime has one', async () => {
    const runtime = guarded();
    assert.ok(runtime.buildQuota);
    assert.deepEqual(await runtime.buildQuota(TOOL), { limit: 8, used: 0 });
  });
});
