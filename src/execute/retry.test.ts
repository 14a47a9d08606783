import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, withTimeout } from './retry.js';

describe('retry timing', () => {
  it('doubles per attempt with jitter in the upper half, capped', () => {
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

  it('rejects a promise that takes too long', async () => {
    const never = new Promise<number>(() => undefined);
    // The time-out timer is unref'd (it must not keep a server alive), so keep the test's loop busy meanwhile.
    const keepAlive = setTimeout(() => undefined, 1_000);
    await assert.rejects(
      withTimeout(never, 10, () => new Error('too slow')),
      /too slow/,
    );
    assert.equal(await withTimeout(Promise.resolve(3), 10, () => new Error('x')), 3);
    clearTimeout(keepAlive);
  });
});
