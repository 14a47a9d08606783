/**
 * The rollback routes' refusals and bookkeeping, on every store kind: nothing to roll back to (404), a target
 * that did not succeed (409), another deployment active (409, the one-active rule), and a refused or plan-only
 * rollback that leaves the stored config alone. No executor runs here: deployments stay where the test puts them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES } from '../../support/stores.js';
import { body, header, openHarness, postConfig, webConfig, type Harness } from '../../support/api-harness.js';

for (const kind of STORES) {
  describe(`rollback routes: ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await openHarness(kind);
    });
    after(async () => {
      await h.close();
    });

    const post = (tool: string, path: string) =>
      h.app.inject({ method: 'POST', url: `/v1/tool/${tool}/deployment${path}`, headers: header(tool) });

    async function deployment(tool: string): Promise<string> {
      const created = await post(tool, '');
      assert.equal(created.statusCode, 200, created.body);
      return (body(created).data as { deploy_id: string }).deploy_id;
    }

    test('without an earlier successful deployment there is nothing to roll back to: 404', async () => {
      await postConfig(h.app, 'rb-none');
      const none = await post('rb-none', '/rollback');
      assert.equal(none.statusCode, 404);
      assert.deepEqual(body(none).messages.error, [
        'No successful deployment of rb-none before the current one: there is nothing to roll back to',
      ]);
      const only = await deployment('rb-none');
      await h.store.updateDeployment(only, { state: 'successful' });
      // The only successful deployment is the current one: there is no earlier one.
      assert.equal((await post('rb-none', '/rollback')).statusCode, 404);
      assert.equal((await post('rb-none', '/rollback?only-plan=true')).statusCode, 404);
    });

    test('a target that did not succeed is refused with 409, and so is an unknown one with 404', async () => {
      await postConfig(h.app, 'rb-failed');
      const id = await deployment('rb-failed');
      await h.store.updateDeployment(id, { state: 'cancelled' });
      const refused = await post('rb-failed', `/${id}/rollback`);
      assert.equal(refused.statusCode, 409);
      assert.deepEqual(body(refused).messages.error, [
        `Deployment ${id} cannot be rolled back to: it is cancelled, and only a successful deployment is a version that worked`,
      ]);
      assert.equal((await post('rb-failed', '/20260101-000000-zzzzzzzzzz/rollback')).statusCode, 404);
    });

    test('a component with no recorded commit is planned at its ref, and the answer says so', async () => {
      await postConfig(h.app, 'rb-unpinned');
      const id = await deployment('rb-unpinned');
      await h.store.updateDeployment(id, { state: 'successful', deployed: {} });
      await deployment('rb-unpinned').then((next) => h.store.updateDeployment(next, { state: 'failed' }));
      const planned = await post('rb-unpinned', '/rollback?only-plan=true');
      assert.equal(planned.statusCode, 200, planned.body);
      assert.ok(
        body(planned).messages.warning?.includes(
          `no commit was recorded for web in deployment ${id}: it is planned at its ref's current commit`,
        ),
        JSON.stringify(body(planned).messages),
      );
    });

    test('the one-active rule holds for rollbacks, and a refused rollback leaves the stored config alone', async () => {
      await postConfig(h.app, 'rb-active');
      const good = await deployment('rb-active');
      await h.store.updateDeployment(good, { state: 'successful' });
      const changed = webConfig();
      (changed.components as { web: { run: { port: number } } }).web.run.port = 9000;
      await postConfig(h.app, 'rb-active', changed);
      const active = await deployment('rb-active'); // pending: no executor runs here
      const before = await h.store.getConfig('rb-active');

      const refused = await post('rb-active', `/${good}/rollback`);
      assert.equal(refused.statusCode, 409);
      assert.match(
        body(refused).messages.error?.[0] ?? '',
        new RegExp(`Active deployment: ${active} \\(pending`),
      );
      assert.equal((await h.store.getConfig('rb-active'))?.revision, before?.revision, 'config untouched');

      const planned = await post('rb-active', `/${good}/rollback?only-plan=true`);
      assert.equal(planned.statusCode, 200, 'planning is not deploying: allowed while one is active');
      assert.equal((body(planned).data as { rollback_to: string }).rollback_to, good);
      assert.deepEqual(
        (body(planned).messages.warning ?? []).filter((w) => w.startsWith('no commit was recorded')),
        [],
        'every commit was recorded',
      );
      assert.equal((await h.store.getConfig('rb-active'))?.revision, before?.revision, 'config untouched');

      await h.store.updateDeployment(active, { state: 'failed' });
      const started = await post('rb-active', '/rollback');
      assert.equal(started.statusCode, 200, started.body);
      const data = body(started).data as { description: string; rollback_to: string; status: string };
      assert.equal(data.description, `Rollback to ${good}`);
      assert.equal(data.rollback_to, good);
      const stored = await h.store.getConfig('rb-active');
      assert.deepEqual(stored?.raw, (await h.store.getDeployment('rb-active', good))?.toolConfig);
      const status = await h.app.inject({
        method: 'GET',
        url: '/v1/tool/rb-active/status',
        headers: header('rb-active'),
      });
      const statusData = body(status).data as {
        undeployedChanges: boolean;
        lastSuccessfulDeployment: string;
      };
      assert.equal(statusData.undeployedChanges, false, 'the stored config is the snapshot that succeeded');
      assert.equal(statusData.lastSuccessfulDeployment, good);
    });
  });
}
