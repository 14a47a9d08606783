/**
 * Tool isolation matrix: for every tool route, tool B can neither read nor change tool A's config,
 * deployments, tokens or events — with B's header on A's path (403) or with B's deploy token on A's path (401).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES } from '../../support/stores.js';
import {
  body,
  header,
  openHarness,
  postConfig,
  type Harness,
  TOOL_ROUTES,
} from '../../support/api-harness.js';

for (const kind of STORES) {
  describe(`tool isolation: ${kind}`, () => {
    let h: Harness;
    let deploymentId: string;
    let tokenB: string;
    before(async () => {
      h = await openHarness(kind);
      await postConfig(h.app, 'tool-a');
      const created = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/tool-a/deployment',
        headers: header('tool-a'),
      });
      deploymentId = (body(created).data as { deploy_id: string }).deploy_id;
      await h.app.inject({
        method: 'POST',
        url: '/v1/tool/tool-a/deployment/token',
        headers: header('tool-a'),
      });
      const b = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/tool-b/deployment/token',
        headers: header('tool-b'),
      });
      tokenB = (body(b).data as { token: string }).token;
    });
    after(async () => {
      await h.close();
    });

    for (const [method, route] of TOOL_ROUTES) {
      test(`${method} ${route}: another tool's header → 403, another tool's token → 401`, async () => {
        const url = (suffix = '') => `/v1/tool/tool-a${route.replace('{id}', deploymentId)}${suffix}`;
        const before = JSON.stringify([
          await h.store.getConfig('tool-a'),
          await h.store.listDeployments('tool-a'),
          await h.store.getToken('tool-a'),
        ]);
        const asB = await h.app.inject({ method, url: url(), headers: header('tool-b') });
        assert.equal(asB.statusCode, 403, asB.body);
        assert.deepEqual(body(asB).messages.error, [
          "The 'x-toolforge-tool' header names the tool 'tool-b', not 'tool-a'",
        ]);
        assert.equal(body(asB).data, undefined);
        const withToken = await h.app.inject({ method, url: url(`?token=${tokenB}`) });
        assert.equal(withToken.statusCode, 401, withToken.body);
        const after = JSON.stringify([
          await h.store.getConfig('tool-a'),
          await h.store.listDeployments('tool-a'),
          await h.store.getToken('tool-a'),
        ]);
        assert.equal(after, before, "tool-a's data is unchanged");
      });
    }
  });
}
