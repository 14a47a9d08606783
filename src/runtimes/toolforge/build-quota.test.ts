import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BuildQuotaCache, decodeBuildQuota } from './build-quota.js';

const registry = {
  name: 'Registry',
  items: [{ name: 'Storage', limit: '1.00Gi', used: '20.00Mi', available: '1004.00Mi', capacity: '2%' }],
};

describe('decodeBuildQuota', () => {
  it('finds the build limit among the categories, as counts', () => {
    const json = {
      quota: {
        categories: [
          registry,
          { name: 'Builds', items: [{ name: 'Concurrent builds', limit: '8', used: '3' }] },
        ],
      },
    };
    assert.deepEqual(decodeBuildQuota(json), { limit: 8, used: 3 });
  });

  it('gives no limit for a builds-api that reports only the registry storage (the sources we know)', () => {
    assert.equal(decodeBuildQuota({ quota: { categories: [registry] } }), undefined);
    assert.equal(decodeBuildQuota({ messages: { info: [], warning: [], error: [] } }), undefined);
  });

  it('reads an unlimited build quota as no limit, with its count', () => {
    const json = {
      quota: {
        categories: [{ name: 'Builds', items: [{ name: 'Running', limit: 'Unlimited', used: '2' }] }],
      },
    };
    assert.deepEqual(decodeBuildQuota(json), { used: 2 });
  });

  it('skips an entry that breaks the contract or whose numbers are not counts', () => {
    const json = {
      quota: {
        categories: [
          { name: 'Builds', items: [{ name: 'Concurrent builds', limit: 8, used: '1' }] },
          { name: 'Builds', items: [{ name: 'Build cache', limit: '2.00Gi', used: '1.00Gi' }] },
          { name: 'Pipelines', items: [{ name: 'Builds at once', limit: '4', used: '0' }] },
        ],
      },
    };
    assert.deepEqual(decodeBuildQuota(json), { limit: 4, used: 0 });
  });
});

describe('BuildQuotaCache', () => {
  it('counts our starts and trusts a newer builds list, but not one sent before our last start', () => {
    let now = 1_000;
    const cache = new BuildQuotaCache({ now: () => now, usedTtlMs: 2_000, limitTtlMs: 60_000 });
    assert.equal(cache.fresh('t'), undefined);
    cache.read('t', { limit: 8, used: 2 }, now);
    cache.started('t');
    assert.deepEqual(cache.fresh('t'), { limit: 8, used: 3 });
    // Sent before the start was answered: it may miss that build, so it can only raise the count.
    cache.listed('t', 1, 900);
    assert.deepEqual(cache.fresh('t'), { limit: 8, used: 3 });
    now = 1_500;
    cache.listed('t', 1, 1_400);
    assert.deepEqual(cache.fresh('t'), { limit: 8, used: 1 });
    cache.full('t');
    assert.deepEqual(cache.fresh('t'), { limit: 8, used: 8 });
    now = 3_400;
    assert.equal(cache.fresh('t'), undefined, 'a count older than usedTtlMs is read again');
    assert.deepEqual(cache.fresh('t', Infinity), { limit: 8, used: 8 }, 'unless the caller lists the builds');
    now = 61_000;
    assert.equal(cache.fresh('t', Infinity), undefined, 'the limit is read again after limitTtlMs');
  });
});
