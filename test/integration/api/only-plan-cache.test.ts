/**
 * `POST /deploy?only-plan=true` reads through caches (the body's reading, the stored config, the managed
 * components) and token checks read the stored token through one: every answer must be the one a server with
 * cold caches gives, and every write that changes an input must be seen by the next request. Writes made straight
 * to the store (as the executor and other modules of the process make them) count as much as the API's own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/api/app.js';
import { ToolCache } from '../../../src/api/tool-cache.js';
import { hashToken } from '../../../src/api/auth.js';
import { createStore } from '../../../src/store/create-store.js';
import { STORES } from '../../support/stores.js';
import { body, header, openHarness, postConfig, webConfig, type Harness } from '../../support/api-harness.js';

interface PlanData {
  plan_id: string;
  config_digest: string;
  status_revision: string;
}

type Config = ReturnType<typeof webConfig>;

function withCommand(command: string): Config {
  const config = webConfig();
  (config.components as Record<string, { run: Record<string, unknown> }>).web!.run.command = command;
  return config;
}

for (const kind of STORES) {
  describe(`only-plan and token caches: ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await openHarness(kind);
    });
    after(async () => {
      await h.close();
    });

    const onlyPlan = (app: FastifyInstance, tool: string, config?: Config, query = '') =>
      app.inject({
        method: 'POST',
        url: `/v1/tool/${tool}/deploy?only-plan=true${query}`,
        headers: header(tool),
        ...(config ? { payload: config } : {}),
      });

    /** What a server that has cached nothing yet answers (a new app on the same store and runtime). */
    async function cold(tool: string, config?: Config, query = ''): Promise<unknown> {
      const app = await buildApp({ store: h.store, runtime: h.runtime });
      try {
        const r = await onlyPlan(app, tool, config, query);
        assert.equal(r.statusCode, 200, r.body);
        return body(r);
      } finally {
        await app.close();
      }
    }

    async function plan(tool: string, config?: Config, query = ''): Promise<PlanData> {
      const r = await onlyPlan(h.app, tool, config, query);
      assert.equal(r.statusCode, 200, r.body);
      return body(r).data as PlanData;
    }

    test('answers from warm caches what a server with cold caches answers', async () => {
      assert.equal((await postConfig(h.app, 'same')).statusCode, 200);
      const cases: Array<[Config | undefined, string]> = [
        [withCommand('serve'), ''],
        [withCommand('serve'), '&only=web&prune=true'],
        [undefined, ''], // the stored config
        [undefined, '&force-build=true'],
      ];
      for (const [config, query] of cases) {
        const answers = [];
        for (let i = 0; i < 3; i++) answers.push(body(await onlyPlan(h.app, 'same', config, query)));
        const expected = await cold('same', config, query);
        for (const answer of answers)
          assert.deepEqual(answer, expected, `body ${config ? 'sent' : 'stored'}${query}`);
      }
    });

    test('answers the plan as a deployment answer carries it (no field lost to its own serializer)', async () => {
      const planned = await plan('text', withCommand('serve'));
      const deployed = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/text/deploy',
        headers: header('text'),
        payload: withCommand('serve'),
      });
      assert.equal(deployed.statusCode, 200, deployed.body);
      assert.deepEqual(planned, (body(deployed).data as { plan: unknown }).plan);
    });

    test('a changed body is planned anew, not answered from the cache', async () => {
      const first = await plan('changed', withCommand('one'));
      const second = await plan('changed', withCommand('two'));
      assert.notEqual(second.config_digest, first.config_digest);
      assert.deepEqual(second, ((await cold('changed', withCommand('two'))) as { data: unknown }).data);
    });

    test('a stored config change is seen by the next only-plan, whoever writes it', async () => {
      await postConfig(h.app, 'stored', withCommand('one'));
      const one = await plan('stored');
      await postConfig(h.app, 'stored', withCommand('two')); // through the API
      const two = await plan('stored');
      assert.notEqual(two.config_digest, one.config_digest);
      assert.deepEqual(two, ((await cold('stored')) as { data: unknown }).data);
      await h.store.putConfig('stored', withCommand('three'), (await h.store.getConfig('stored'))!.config);
      const unchangedConfig = await plan('stored');
      assert.equal(unchangedConfig.config_digest, two.config_digest, 'same config written again');
      await h.store.deleteConfig('stored'); // straight to the store
      const gone = await onlyPlan(h.app, 'stored');
      assert.equal(gone.statusCode, 404, gone.body);
    });

    test('a deployment finishing changes the next only-plan (the managed components)', async () => {
      await postConfig(h.app, 'managed');
      const created = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/managed/deployment',
        headers: header('managed'),
      });
      assert.equal(created.statusCode, 200, created.body);
      const pending = await plan('managed');
      const id = (body(created).data as { deploy_id: string }).deploy_id;
      // As the executor does when the deployment succeeds: straight to the store.
      await h.store.updateDeployment(id, { state: 'successful' });
      const done = await plan('managed');
      assert.notEqual(done.status_revision, pending.status_revision, 'the managed components are part of it');
      assert.deepEqual(done, ((await cold('managed')) as { data: unknown }).data);
    });

    test('a deleted or refreshed deploy token stops working at once', async () => {
      const tool = 'tokens';
      const byToken = async (token: string): Promise<number> =>
        (await h.app.inject({ method: 'GET', url: `/v1/tool/${tool}/deployment/nope?token=${token}` }))
          .statusCode;
      const tokenOf = (r: { body: string }): string =>
        (JSON.parse(r.body) as { data: { token: string } }).data.token;
      const url = `/v1/tool/${tool}/deployment/token`;
      const first = tokenOf(await h.app.inject({ method: 'POST', url, headers: header(tool) }));
      assert.equal(await byToken(first), 404, 'authenticated: the deployment is not found');
      assert.equal(await byToken(first), 404, 'again, from the cache');

      const second = tokenOf(await h.app.inject({ method: 'PUT', url, headers: header(tool) }));
      assert.equal(await byToken(first), 401, 'the replaced token');
      assert.equal(await byToken(second), 404);

      assert.equal((await h.app.inject({ method: 'DELETE', url, headers: header(tool) })).statusCode, 200);
      assert.equal(await byToken(second), 401, 'the deleted token');

      // Straight to the store, as another module of this process could.
      await h.store.putToken({ tool, hash: hashToken('direct'), createdAt: new Date().toISOString() });
      assert.equal(await byToken('direct'), 404);
      await h.store.deleteToken(tool);
      assert.equal(await byToken('direct'), 401);
    });

    test("the store's write count changes with every write of the tool's config, token or deployments", async () => {
      const tool = 'counted';
      const config = (await h.store.getConfig('same'))!.config;
      let last = h.store.localWriteRevision(tool);
      const changes = async (what: string, write: () => Promise<unknown>): Promise<void> => {
        const pending = write();
        // Counted once the write has ended: a reader that looks while it runs must see the count change after.
        assert.equal(h.store.localWriteRevision(tool), last, `${what} counted before it ended`);
        await pending;
        const now = h.store.localWriteRevision(tool);
        assert.notEqual(now, last, what);
        last = now;
      };
      await changes('putConfig', () => h.store.putConfig(tool, {}, config));
      await changes('putToken', () =>
        h.store.putToken({ tool, hash: hashToken('x'), createdAt: '2026-01-01' }),
      );
      await changes('deleteToken', () => h.store.deleteToken(tool));
      await h.store.putConfig('other tool', {}, config);
      await h.store.getConfig(tool);
      await h.store.managedComponents(tool);
      assert.equal(h.store.localWriteRevision(tool), last, "reads and another tool's writes do not count");
      const created = await h.app.inject({
        method: 'POST',
        url: `/v1/tool/${tool}/deployment`,
        headers: header(tool),
      });
      assert.notEqual(h.store.localWriteRevision(tool), last, 'createDeployment');
      last = h.store.localWriteRevision(tool);
      const id = (body(created).data as { deploy_id: string }).deploy_id;
      await changes('updateDeployment', () => h.store.updateDeployment(id, { state: 'running' }));
      await changes('expireStaleDeployments', () => h.store.expireStaleDeployments(tool, '2999-01-01'));
      await changes('deleteDeployment', () => h.store.deleteDeployment(tool, id));
      await changes('deleteConfig', () => h.store.deleteConfig(tool));
    });

    test("another replica's token revocation is seen once the cache's maximum age has passed", async () => {
      const other = await createStore(h.database.url); // a second replica on the same database
      try {
        let now = 0;
        const cache = new ToolCache(h.store, { maxAgeMs: 1000, clock: () => now });
        await other.putToken({ tool: 'replica', hash: hashToken('t'), createdAt: new Date().toISOString() });
        assert.equal((await cache.token('replica'))?.hash, hashToken('t'));
        await other.deleteToken('replica');
        now = 999; // within the documented bound this replica may still hold the token
        assert.equal((await cache.token('replica'))?.hash, hashToken('t'));
        now = 1000;
        assert.equal(await cache.token('replica'), undefined);
      } finally {
        await other.close();
      }
    });
  });
}
