import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRuntime } from './fake-runtime.js';
import { RuntimeError } from '../runtime.js';
import type { BuildRequest } from '../../model/build-request.js';
import type { JobSpec } from '../../model/job-spec.js';

const request = (imageName: string): BuildRequest => ({
  imageName,
  repository: `https://example.org/${imageName}.git`,
  useLatestVersions: false,
  useDeprecatedVersions: false,
});
const web: JobSpec = {
  name: 'web',
  type: 'continuous',
  image: 'img',
  command: 'serve',
  replicas: 2,
  healthCheck: { type: 'http', path: '/healthz' },
};

describe('FakeRuntime', () => {
  it('runs builds on its clock: running, then successful with an image or failed with the message', async () => {
    let now = 1_000;
    const fake = new FakeRuntime({
      now: () => now,
      buildMs: 100,
      builds: { bad: { failWith: 'pip failed' } },
    });
    const ok = await fake.startBuild('t', request('ok'));
    const bad = await fake.startBuild('t', request('bad'));
    assert.deepEqual(
      (await fake.observe('t')).builds.map((b) => b.state),
      ['running', 'running'],
    );
    now += 100;
    const [built, failed] = (await fake.observe('t')).builds;
    assert.equal(built?.id, ok.id);
    assert.equal(built?.state, 'successful');
    assert.match(built?.image ?? '', /tool-t\/ok:latest$/);
    assert.equal(failed?.id, bad.id);
    assert.equal(failed?.state, 'failed');
    assert.equal(failed?.message, 'pip failed');
    assert.equal(fake.count('startBuild'), 2);
    assert.equal(fake.count('observe'), 2);
  });

  it('refuses builds over the quota and cancels running ones', async () => {
    const fake = new FakeRuntime({ buildMs: 10_000, buildQuota: 1 });
    const first = await fake.startBuild('t', request('a'));
    await assert.rejects(
      fake.startBuild('t', request('b')),
      (e: unknown) => e instanceof RuntimeError && e.kind === 'quota',
    );
    await fake.cancelBuild('t', first.id);
    assert.equal(fake.inspect('t').builds[0]?.state, 'cancelled');
    await fake.startBuild('t', request('b'));
  });

  it('brings jobs up replica by replica, reports unchanged upserts, crash-loops on demand', async () => {
    let now = 0;
    const fake = new FakeRuntime({ now: () => now, jobStartMs: 10, jobHealthyMs: 100 });
    assert.equal((await fake.upsertJob('t', web)).changed, true);
    assert.equal(fake.inspect('t').jobs[0]?.state, 'pending');
    now = 60;
    assert.deepEqual(pick(fake), { state: 'running', health: 'starting', readyReplicas: 1 });
    now = 110;
    assert.deepEqual(pick(fake), { state: 'running', health: 'healthy', readyReplicas: 2 });
    assert.equal((await fake.upsertJob('t', web)).changed, false);
    fake.setJobBehaviour('web', { crashLoop: 'exit 1' });
    await fake.restartJob('t', 'web');
    now = 200;
    assert.deepEqual(pick(fake), { state: 'crash-looping', health: 'unhealthy', readyReplicas: 0 });
    await fake.deleteJob('t', 'web');
    await fake.deleteJob('t', 'web');
    assert.equal(fake.inspect('t').jobs.length, 0);
  });

  it('injects seeded faults, including answers lost after the work was done', async () => {
    const fake = new FakeRuntime({ seed: 3, faults: { lostResponseRate: 1, methods: ['startBuild'] } });
    await assert.rejects(
      fake.startBuild('t', request('a')),
      (e: unknown) => e instanceof RuntimeError && e.retryable,
    );
    assert.equal(fake.inspect('t').builds.length, 1, 'the build exists although the answer was lost');
    const flaky = new FakeRuntime({ seed: 3, faults: { errorRate: 0.5 } });
    let failures = 0;
    for (let i = 0; i < 40; i++) await flaky.observe('t').catch(() => failures++);
    assert.ok(failures > 5 && failures < 35, `${failures} failures`);
  });

  it("reports builds-api's quota: the limit and the builds running now, and refuses a start beyond it", async () => {
    let now = 0;
    const fake = new FakeRuntime({ now: () => now, buildMs: 100, buildQuota: 2 });
    assert.deepEqual(await fake.buildQuota('t'), { limit: 2, used: 0 });
    await fake.startBuild('t', request('a'));
    await fake.startBuild('t', request('b'));
    await fake.startBuild('other', request('c'));
    assert.deepEqual(await fake.buildQuota('t'), { limit: 2, used: 2 });
    await assert.rejects(
      fake.startBuild('t', request('d')),
      (e: unknown) => e instanceof RuntimeError && e.kind === 'quota',
    );
    now += 100;
    assert.deepEqual(await fake.buildQuota('t'), { limit: 2, used: 0 });
    assert.deepEqual(await new FakeRuntime().buildQuota('t'), { used: 0 });
  });

  it('fails the next matching call once: before acting, or after acting with the answer lost', async () => {
    const fake = new FakeRuntime();
    fake.failNext('upsertJob', 'lost-response', 'web');
    fake.failNext('restartJob', 'unavailable');
    await assert.rejects(fake.upsertJob('t', web), /may have been processed/);
    assert.equal(fake.inspect('t').jobs.length, 1, 'the lost upsert was applied');
    assert.equal((await fake.upsertJob('t', web)).changed, false, 'one shot only');
    await assert.rejects(fake.restartJob('t', 'web'), /Service unavailable \(503\)/);
    await fake.restartJob('t', 'web');
  });

  it('resolves any ref of a repository it was not told about, and only the listed refs of one it was', async () => {
    let now = 0;
    const known = 'https://example.org/known.git';
    const fake = new FakeRuntime({
      now: () => now,
      buildMs: 10,
      repositories: { [known]: { refs: ['main'] } },
    });
    const anyRef = await fake.resolveRef('t', 'https://example.org/other.git', 'whatever');
    assert.equal(anyRef.ok, true);
    const main = await fake.resolveRef('t', known, 'main');
    const head = await fake.resolveRef('t', known, undefined);
    assert.ok(main.ok && head.ok, 'the listed ref and the default branch resolve');
    const missing = await fake.resolveRef('t', known, 'gone');
    assert.deepEqual(missing, {
      ok: false,
      error: `Failed to resolve ref 'gone' for repository '${known}', does it exist?`,
    });
    await fake.startBuild('t', { ...request('ok'), repository: known, ref: 'gone' });
    now += 10;
    const [build] = fake.inspect('t').builds;
    assert.equal(build?.state, 'failed');
    assert.match(build?.message ?? '', /Failed to resolve ref 'gone'/);
  });
});

function pick(fake: FakeRuntime): Record<string, unknown> {
  const job = fake.inspect('t').jobs[0];
  return { state: job?.state, health: job?.health, readyReplicas: job?.readyReplicas };
}
