/**
 * One active deployment per tool, enforced by the database: 50 concurrent POST /deployment → exactly one 200
 * and 49 × 409 naming the active deployment, on every store; and the same with two server processes sharing
 * one PostgreSQL schema (two replicas).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { createStore } from '../../../src/store/create-store.js';
import { STORES, createTestDatabase, type TestDatabase } from '../../support/stores.js';
import { body, header, openHarness, postConfig, webConfig, type Harness } from '../../support/api-harness.js';
import { spawnServer, type ServerProcess } from '../../support/server-process.js';

const CONCURRENT = 50;

function checkOutcome(statuses: number[], errors: string[], activeId: string): void {
  assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`);
  assert.equal(statuses.filter((s) => s === 409).length, CONCURRENT - 1);
  for (const error of errors) {
    assert.match(error, /^There's already 1 running, the limit is 1\. Wait for it to finish for now\./);
    assert.ok(error.includes(`Active deployment: ${activeId} (pending, created `), error);
  }
}

for (const kind of STORES) {
  describe(`concurrency: ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await openHarness(kind);
    });
    after(async () => {
      await h.close();
    });

    test(`${CONCURRENT} concurrent POST /deployment → one 200, the rest 409`, async () => {
      await postConfig(h.app, 'busy');
      const responses = await Promise.all(
        Array.from({ length: CONCURRENT }, () =>
          h.app.inject({ method: 'POST', url: '/v1/tool/busy/deployment', headers: header('busy') }),
        ),
      );
      const winner = responses.find((r) => r.statusCode === 200);
      const activeId = (body(winner!).data as { deploy_id: string }).deploy_id;
      checkOutcome(
        responses.map((r) => r.statusCode),
        responses.filter((r) => r.statusCode === 409).map((r) => body(r).messages.error?.[0] ?? ''),
        activeId,
      );
      assert.equal((await h.store.listDeployments('busy')).length, 1);
    });
  });
}

const SERVE_ON_DATABASE = fileURLToPath(new URL('../../support/serve-on-database.ts', import.meta.url));

if (STORES.includes('postgres')) {
  describe('concurrency: two server processes on one PostgreSQL', () => {
    let database: TestDatabase;
    const servers: ServerProcess[] = [];
    before(async () => {
      database = await createTestDatabase('postgres');
    });
    after(async () => {
      await Promise.all(servers.map((server) => server.stop(5000)));
      await database.dispose();
    });

    test(`${CONCURRENT} concurrent POST /deployment split over two replicas → one 200`, async () => {
      // Migrate once up front; the replicas then race only on requests (they also migrate safely: advisory lock).
      const store = await createStore(database.url);
      await store.close();
      const serve = (): Promise<ServerProcess> =>
        spawnServer([SERVE_ON_DATABASE, database.url], {}, /listening (\S+)/);
      servers.push(...(await Promise.all([serve(), serve()])));
      const [a, b] = servers as [ServerProcess, ServerProcess];
      const config = await request(`${a.url}/v1/tool/rep/config`, {
        method: 'POST',
        headers: { ...header('rep'), 'content-type': 'application/json' },
        body: JSON.stringify(webConfig()),
      });
      assert.equal(config.statusCode, 200);
      await config.body.dump();
      const results = await Promise.all(
        Array.from({ length: CONCURRENT }, async (_, i) => {
          const r = await request(`${(i % 2 === 0 ? a : b).url}/v1/tool/rep/deployment`, {
            method: 'POST',
            headers: header('rep'),
          });
          return {
            status: r.statusCode,
            body: (await r.body.json()) as { data?: { deploy_id: string }; messages: { error?: string[] } },
          };
        }),
      );
      const winner = results.find((r) => r.status === 200);
      assert.ok(winner, JSON.stringify(results.map((r) => r.status)));
      checkOutcome(
        results.map((r) => r.status),
        results.filter((r) => r.status === 409).map((r) => r.body.messages.error?.[0] ?? ''),
        winner.body.data!.deploy_id,
      );
    });
  });
}
