/**
 * The guard: the one layer with time limits and retries. Reads are retried on retryable errors, changes are
 * made once (their retry is the executor's, after looking), a call that does not answer in time fails with a
 * retryable error, and anything else thrown becomes a RuntimeError.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GuardedRuntime, backoffMs } from './guarded-runtime.js';
import { FakeRuntime } from './fake/fake-runtime.js';
import { RuntimeError } from './runtime.js';
import type { JobSpec } from '../model/job-spec.js';

const web: JobSpec = { name: 'web', type: 'continuous', image: 'img', command: 'serve' };

describe('GuardedRuntime', () => {
  it('retries a read on retryable errors, up to its attempts', async () => {
    const fake = new FakeRuntime();
    fake.failNext('observe', 'unavailable');
    fake.failNext('observe', 'unavailable');
    const guard = new GuardedRuntime(fake, { readAttempts: 3, retryBaseMs: 1 });
    assert.deepEqual(await guard.observe('t'), { builds: [], jobs: [] });
    assert.equal(fake.count('observe'), 3);
    for (let i = 0; i < 3; i++) fake.failNext('observe', 'unavailable');
    await assert.rejects(guard.observe('t'), (e: unknown) => e instanceof RuntimeError && e.retryable);
  });

  it('makes a change once: a failed upsert is not repeated by the guard', async () => {
    const fake = new FakeRuntime();
    fake.failNext('upsertJob', 'unavailable');
    const guard = new GuardedRuntime(fake, { retryBaseMs: 1 });
    await assert.rejects(guard.upsertJob('t', web), /Service unavailable/);
    assert.equal(fake.count('upsertJob'), 1);
  });

  it('fails a call that does not answer in time with a retryable error, and aborts it', async () => {
    const fake = new FakeRuntime({ latencyMs: { upsertJob: 5_000 } });
    const guard = new GuardedRuntime(fake, { callTimeoutMs: 20 });
    const keepAlive = setTimeout(() => undefined, 1_000); // the guard's timer does not hold the loop
    await assert.rejects(
      guard.upsertJob('t', web),
      (e: unknown) =>
        e instanceof RuntimeError && e.kind === 'unavailable' && /no answer within 20ms/.test(e.message),
    );
    clearTimeout(keepAlive);
    assert.equal(fake.inspect('t').jobs.length, 0, 'the aborted call did nothing');
  });

  it('turns anything else a runtime throws into a RuntimeError with its message', async () => {
    const fake = new FakeRuntime();
    fake.deleteJob = () => Promise.reject(new TypeError('decoder surprise'));
    await assert.rejects(
      new GuardedRuntime(fake).deleteJob('t', 'web'),
      (e: unknown) =>
        e instanceof RuntimeError && e.kind === 'unavailable' && e.message === 'decoder surprise',
    );
  });

  it('has a build quota only when the runtime has one, and guards a runtime once', async () => {
    const fake = new FakeRuntime({ buildQuota: 4 });
    const guard = GuardedRuntime.of(fake);
    assert.deepEqual(await guard.buildQuota?.('t'), { limit: 4, used: 0 });
    assert.equal(GuardedRuntime.of(guard), guard);
    // A runtime without a quota (the local one): the executor then uses its own cap.
    const noQuota = new FakeRuntime();
    Object.defineProperty(noQuota, 'buildQuota', { value: undefined });
    assert.equal(new GuardedRuntime(noQuota).buildQuota, undefined);
  });

  it('backs off exponentially with jitter in the upper half, capped', () => {
    assert.equal(
      backoffMs(1, 100, 60_000, () => 0),
      50,
    );
    assert.equal(
      backoffMs(1, 100, 60_000, () => 1),
      100,
    );
    assert.equal(
      backoffMs(4, 100, 60_000, () => 1),
      800,
    );
    assert.equal(
      backoffMs(30, 100, 5_000, () => 1),
      5_000,
    );
  });
});
