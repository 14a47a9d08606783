/** The Store contract, run against every store kind in STORES (SQLite file and PostgreSQL schema). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ActiveDeploymentExistsError } from '../../src/store/store.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { createStore } from '../../src/store/create-store.js';
import { STORES, openTestStore } from '../support/stores.js';
import { sampleConfig, sampleDeployment } from '../support/deployment-fixtures.js';

for (const kind of STORES) {
  describe(`store contract: ${kind}`, () => {
    let store: KyselyStore;
    let url: string;
    let dispose: () => Promise<void>;
    before(async () => {
      const opened = await openTestStore(kind);
      store = opened.store;
      url = opened.database.url;
      dispose = opened.dispose;
    });
    after(async () => {
      await dispose();
    });

    test('config put/get/delete keeps raw and bumps the revision', async () => {
      assert.equal(await store.getConfig('cfg'), undefined);
      const first = await store.putConfig('cfg', { components: { web: {} } }, sampleConfig());
      assert.equal(first.revision, 1);
      const second = await store.putConfig('cfg', { components: { other: {} } }, sampleConfig());
      assert.equal(second.revision, 2);
      const got = await store.getConfig('cfg');
      assert.deepEqual(got?.raw, { components: { other: {} } });
      assert.deepEqual(got?.config, sampleConfig());
      assert.equal((await store.deleteConfig('cfg'))?.revision, 2);
      assert.equal(await store.getConfig('cfg'), undefined);
      assert.equal(await store.deleteConfig('cfg'), undefined);
    });

    test('tokens are replaced and deleted per tool', async () => {
      await store.putToken({ tool: 'tok', hash: 'h1', createdAt: '2026-01-01T00:00:00.000Z' });
      await store.putToken({ tool: 'tok', hash: 'h2', createdAt: '2026-01-02T00:00:00.000Z' });
      assert.deepEqual(await store.getToken('tok'), {
        tool: 'tok',
        hash: 'h2',
        createdAt: '2026-01-02T00:00:00.000Z',
      });
      assert.equal(await store.getToken('other'), undefined);
      assert.equal((await store.deleteToken('tok'))?.hash, 'h2');
      assert.equal(await store.getToken('tok'), undefined);
    });

    test('a sealed token round-trips, is listed, and is replaced only by a compare-and-set', async () => {
      await store.putToken({
        tool: 'seal-b',
        hash: 'hb',
        createdAt: '2026-01-01T00:00:00.000Z',
        secret: 's1',
      });
      await store.putToken({ tool: 'seal-a', hash: 'ha', createdAt: '2026-01-01T00:00:00.000Z' });
      assert.deepEqual(
        (await store.listTokens()).filter((t) => t.tool.startsWith('seal-')),
        [
          { tool: 'seal-a', hash: 'ha', createdAt: '2026-01-01T00:00:00.000Z' },
          { tool: 'seal-b', hash: 'hb', createdAt: '2026-01-01T00:00:00.000Z', secret: 's1' },
        ],
        'by tool name; a hash-only token has no secret',
      );
      assert.equal(await store.replaceTokenSecret('seal-b', 'stale', 's2'), false);
      assert.equal((await store.getToken('seal-b'))?.secret, 's1');
      assert.equal(await store.replaceTokenSecret('seal-b', 's1', 's2'), true);
      assert.equal((await store.getToken('seal-b'))?.secret, 's2');
      assert.equal(await store.replaceTokenSecret('seal-a', 'anything', 's3'), false, 'hash-only rows stay');
      // A refresh replaces the secret too.
      await store.putToken({
        tool: 'seal-b',
        hash: 'hb2',
        createdAt: '2026-01-02T00:00:00.000Z',
        secret: 's4',
      });
      assert.equal((await store.getToken('seal-b'))?.secret, 's4');
    });

    test('every config is listed by tool name', async () => {
      await store.putConfig('list-b', { b: 1 }, sampleConfig());
      await store.putConfig('list-a', { a: 1 }, sampleConfig());
      const listed = (await store.listConfigs()).filter((c) => c.tool.startsWith('list-'));
      assert.deepEqual(
        listed.map((c) => [c.tool, c.raw]),
        [
          ['list-a', { a: 1 }],
          ['list-b', { b: 1 }],
        ],
      );
      assert.deepEqual(listed[0]?.config, sampleConfig());
    });

    test('the requesting user is kept with the deployment', async () => {
      const { deployment, tasks } = sampleDeployment('by-user');
      const withUser = { ...deployment, requestedBy: 'alice' };
      await store.createDeployment(withUser, tasks);
      assert.equal((await store.getDeployment('by-user', deployment.id))?.requestedBy, 'alice');
      assert.equal((await store.latestDeployment('by-user'))?.requestedBy, 'alice');
      const finished = await store.updateDeployment(deployment.id, { state: 'cancelling' });
      assert.equal(finished?.requestedBy, 'alice', 'also on the rows updates answer with');
      assert.equal(
        (await store.findDeployments(['cancelling'])).find((d) => d.id === deployment.id)?.requestedBy,
        'alice',
      );
    });

    test("a deployment's own wait deadline (deploy --timeout) is kept with it", async () => {
      const { deployment, tasks } = sampleDeployment('with-timeout');
      await store.createDeployment({ ...deployment, waitTimeoutMs: 30_000 }, tasks);
      assert.equal((await store.getDeployment('with-timeout', deployment.id))?.waitTimeoutMs, 30_000);
      const updated = await store.updateDeployment(deployment.id, { state: 'running' });
      assert.equal(updated?.waitTimeoutMs, 30_000, 'also on the rows updates answer with');
      const { deployment: plain, tasks: plainTasks } = sampleDeployment('without-timeout');
      await store.createDeployment(plain, plainTasks);
      const read = await store.getDeployment('without-timeout', plain.id);
      assert.equal(read !== undefined && 'waitTimeoutMs' in read, false, 'absent, not null');
    });

    test('what a deployment deployed is kept with it and replaced when it ends', async () => {
      const { deployment, tasks } = sampleDeployment('deployed-record');
      const planned = {
        web: { commit: 'a'.repeat(40), buildId: 'b-1', image: 'tool-t/web:latest@sha256:1' },
      };
      await store.createDeployment({ ...deployment, deployed: planned }, tasks);
      assert.deepEqual((await store.getDeployment('deployed-record', deployment.id))?.deployed, planned);
      const final = {
        web: planned.web,
        cron: { commit: 'b'.repeat(40), buildId: 'b-2', image: 'tool-t/cron:latest@sha256:2' },
      };
      const updated = await store.updateDeployment(deployment.id, { state: 'running', deployed: final });
      assert.deepEqual(updated?.deployed, final, 'the row the update answers with');
      assert.deepEqual((await store.listDeployments('deployed-record'))[0]?.deployed, final);
      const { deployment: plain, tasks: plainTasks } = sampleDeployment('deployed-none');
      await store.createDeployment(plain, plainTasks);
      const read = await store.getDeployment('deployed-none', plain.id);
      assert.equal(read !== undefined && 'deployed' in read, false, 'absent, not null');
    });

    test('a deployment and its tasks round-trip', async () => {
      const { deployment, tasks } = sampleDeployment('rt');
      await store.createDeployment(deployment, tasks);
      assert.deepEqual(await store.getDeployment('rt', deployment.id), deployment);
      assert.equal(await store.getDeployment('other-tool', deployment.id), undefined);
      assert.deepEqual(await store.listTasks(deployment.id), tasks);
      const updated = await store.updateTask(deployment.id, 'build:web', {
        state: 'running',
        externalId: 'b-1',
        attempts: 1,
        waitingFor: ['x'],
        result: { image: 'img' },
      });
      assert.equal(updated.state, 'running');
      assert.equal(updated.externalId, 'b-1');
      assert.deepEqual(updated.result, { image: 'img' });
      await assert.rejects(store.updateTask(deployment.id, 'nope', { state: 'failed' }));
    });

    test('only one pending/running deployment per tool, enforced by the database', async () => {
      const first = sampleDeployment('one');
      await store.createDeployment(first.deployment, first.tasks);
      const second = sampleDeployment('one');
      await assert.rejects(store.createDeployment(second.deployment, second.tasks), (error: unknown) => {
        assert.ok(error instanceof ActiveDeploymentExistsError);
        assert.equal(error.active.id, first.deployment.id);
        assert.equal(error.active.createdAt, first.deployment.createdAt);
        return true;
      });
      // Nothing of the refused deployment was kept.
      assert.deepEqual(await store.listTasks(second.deployment.id), []);
      // cancelling does not count as active (upstream), so a new one may start.
      assert.ok(
        await store.updateDeployment(first.deployment.id, { state: 'cancelling' }, ['pending', 'running']),
      );
      await store.createDeployment(second.deployment, second.tasks);
      // Another tool is independent.
      const other = sampleDeployment('two');
      await store.createDeployment(other.deployment, other.tasks);
    });

    test('concurrent creates for one tool: exactly one wins', async () => {
      const attempts = Array.from({ length: 20 }, () => sampleDeployment('race'));
      const results = await Promise.allSettled(
        attempts.map((a) => store.createDeployment(a.deployment, a.tasks)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      assert.equal(won.length, 1);
      for (const r of lost)
        assert.ok((r as PromiseRejectedResult).reason instanceof ActiveDeploymentExistsError);
    });

    test('retention keeps the newest deployments of the tool', async () => {
      for (let i = 0; i < 7; i++) {
        const { deployment, tasks } = sampleDeployment('ret', { state: 'successful' });
        await store.createDeployment(deployment, tasks, 5);
        await store.appendEvent({
          deploymentId: deployment.id,
          at: deployment.createdAt,
          type: 'deployment',
          state: 'successful',
        });
      }
      const kept = await store.listDeployments('ret');
      assert.equal(kept.length, 5);
      assert.ok(kept[0]!.createdAt < kept[4]!.createdAt, 'oldest first');
      assert.equal((await store.latestDeployment('ret'))?.id, kept[4]!.id);
    });

    test('update with expected states is a compare-and-set', async () => {
      const { deployment, tasks } = sampleDeployment('cas');
      await store.createDeployment(deployment, tasks);
      const started = await store.updateDeployment(
        deployment.id,
        { state: 'running', startedAt: '2026-01-01T00:00:01.000Z' },
        ['pending'],
      );
      assert.equal(started?.state, 'running');
      assert.equal(await store.updateDeployment(deployment.id, { state: 'running' }, ['pending']), undefined);
      const done = await store.updateDeployment(deployment.id, {
        state: 'successful',
        longStatus: 'Finished',
      });
      assert.equal(done?.longStatus, 'Finished');
      assert.deepEqual(
        (await store.findDeployments(['successful'])).map((d) => d.id).filter((id) => id === deployment.id),
        [deployment.id],
      );
      assert.deepEqual(await store.managedComponents('cas'), ['web', 'cron']);
      assert.deepEqual(await store.managedComponents('nobody'), []);
    });

    test('stale active deployments time out', async () => {
      const old = sampleDeployment('stale', { createdAt: '2020-01-01T00:00:00.000Z' });
      await store.createDeployment(old.deployment, old.tasks);
      const expired = await store.expireStaleDeployments('stale', '2020-01-01T00:00:00.000Z');
      assert.deepEqual(expired, []);
      const later = await store.expireStaleDeployments('stale', '2020-01-01T01:00:00.001Z');
      assert.deepEqual(
        later.map((d) => [d.id, d.state]),
        [[old.deployment.id, 'timed_out']],
      );
    });

    test('delete removes the deployment with its tasks and events', async () => {
      const { deployment, tasks } = sampleDeployment('del', { state: 'failed' });
      await store.createDeployment(deployment, tasks);
      await store.appendEvent({
        deploymentId: deployment.id,
        at: deployment.createdAt,
        type: 'deployment',
        state: 'failed',
      });
      assert.equal(await store.deleteDeployment('other', deployment.id), undefined);
      assert.equal((await store.deleteDeployment('del', deployment.id))?.id, deployment.id);
      assert.deepEqual(await store.listTasks(deployment.id), []);
      assert.deepEqual(await store.listEvents(deployment.id), []);
      assert.equal(await store.deleteDeployment('del', deployment.id), undefined);
    });

    test('events get increasing seq per deployment, also when appended concurrently', async () => {
      const { deployment, tasks } = sampleDeployment('ev', { state: 'running' });
      await store.createDeployment(deployment, tasks);
      const at = new Date().toISOString();
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.appendEvent({
            deploymentId: deployment.id,
            at,
            type: 'task',
            taskId: `t${i}`,
            state: 'running',
            reason: 'r',
          }),
        ),
      );
      const events = await store.listEvents(deployment.id);
      assert.deepEqual(
        events.map((e) => e.seq),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.deepEqual(
        (await store.listEvents(deployment.id, 8)).map((e) => e.seq),
        [9, 10],
      );
      assert.equal(events[0]!.reason, 'r');
    });

    test('leases: acquire, refuse another owner, renew, take over after expiry, release', async () => {
      assert.equal(await store.acquireLease('d1', 'a', 60_000), true);
      assert.equal(await store.acquireLease('d1', 'b', 60_000), false);
      assert.equal(await store.acquireLease('d1', 'a', 60_000), true);
      assert.equal(await store.acquireLease('d2', 'x', -1), true);
      assert.equal(await store.acquireLease('d2', 'y', 60_000), true, 'expired lease is taken over');
      await store.releaseLease('d1', 'b');
      assert.equal(await store.acquireLease('d1', 'b', 60_000), false, 'release by a non-owner is ignored');
      await store.releaseLease('d1', 'a');
      assert.equal(await store.acquireLease('d1', 'b', 60_000), true);
    });

    test('a second store on the same database sees the data and migrations are idempotent', async () => {
      const second = await createStore(url);
      try {
        await store.putConfig('shared', { a: 1 }, sampleConfig());
        assert.deepEqual((await second.getConfig('shared'))?.raw, { a: 1 });
      } finally {
        await second.close();
      }
    });
  });
}
