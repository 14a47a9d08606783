/**
 * Upstream's v1beta2 over the API: a v1beta1 config is answered, stored and snapshotted upgraded (component
 * types inferred from the runs, config_version v1beta2) with a deprecation warning naming the changed fields;
 * configs stored before the upgrade existed read back upgraded; URLs come back as upstream writes them, so a
 * config round-trips; envvars and defaults are kept.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES } from '../../support/stores.js';
import { sampleDeployment } from '../../support/deployment-fixtures.js';
import { body, header, openHarness, postConfig, type Harness } from '../../support/api-harness.js';
import { loadConfigObject } from '../../../src/config/load.js';

const BUILD = { repository: 'https://example.org', ref: 'main' };

function v1beta1Config(): Record<string, unknown> {
  return {
    config_version: 'v1beta1',
    components: {
      web: { build: BUILD, run: { command: 'web' } },
      cron: {
        component_type: 'continuous',
        build: { reuse_from: 'web' },
        run: { command: 'c', schedule: '@daily' },
      },
    },
  };
}

const UPGRADED = {
  config_version: 'v1beta2',
  components: {
    web: {
      build: { ...BUILD, repository: 'https://example.org/' },
      run: { command: 'web' },
      component_type: 'continuous',
    },
    cron: {
      component_type: 'scheduled',
      build: { reuse_from: 'web' },
      run: { command: 'c', schedule: '@daily' },
    },
  },
};

for (const kind of STORES) {
  describe(`config v1beta2: ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await openHarness(kind);
    });
    after(async () => {
      await h.close();
    });

    test('POST a v1beta1 config: answered upgraded, with a deprecation warning naming what changed', async () => {
      const r = await postConfig(h.app, 'old', v1beta1Config());
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(body(r).data, UPGRADED);
      const warnings = body(r).messages.warning ?? [];
      assert.ok(
        warnings.includes(
          'config_version v1beta1 is deprecated and will stop being accepted: the config was upgraded to v1beta2 (changed: config_version, components.web.component_type, components.cron.component_type)',
        ),
        warnings.join('\n'),
      );
      const stored = await h.app.inject({
        method: 'GET',
        url: '/v1/tool/old/config',
        headers: header('old'),
      });
      assert.deepEqual(body(stored).data, UPGRADED);
      assert.equal((await h.store.getConfig('old'))?.config.components[1]?.type, 'scheduled');
    });

    test('a v1beta2 config round-trips: what GET answers posts back to the identical config', async () => {
      const first = await postConfig(h.app, 'trip', UPGRADED);
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(body(first).messages.warning?.slice(1), []);
      const got = await h.app.inject({ method: 'GET', url: '/v1/tool/trip/config', headers: header('trip') });
      const again = await postConfig(h.app, 'trip', body(got).data);
      assert.deepEqual(body(again).data, body(got).data);
      assert.deepEqual(body(got).data, UPGRADED);
    });

    test('build.envvars and defaults.alerts.notify are stored and answered as sent', async () => {
      const config = {
        config_version: 'v1beta2',
        defaults: { alerts: { notify: true } },
        components: {
          web: {
            component_type: 'continuous',
            build: { ...BUILD, repository: 'https://example.org/', envvars: { NODE_ENV: 'production' } },
            run: { command: 'web' },
          },
        },
      };
      const r = await postConfig(h.app, 'env', config);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(body(r).data, config);
      const build = (await h.store.getConfig('env'))?.config.components[0]?.build;
      assert.deepEqual(build?.kind === 'source' && build.envvars, { NODE_ENV: 'production' });
      const bad = await postConfig(h.app, 'env', {
        ...config,
        components: { web: { build: { ...BUILD, envvars: { lower: 'x' } }, run: { command: 'web' } } },
      });
      assert.equal(bad.statusCode, 422);
      assert.equal(body(bad).messages.error?.length, 1);
      assert.ok(
        body(bad).messages.error?.[0]?.startsWith(
          "Validation error at components -> web -> build -> envvars -> lower: String should match pattern '^[A-Z][A-Z_0-9]{2,}[A-Z0-9]$'",
        ),
      );
    });

    test('a config and a deployment snapshot stored as v1beta1 before the upgrade read back upgraded', async () => {
      const legacy = v1beta1Config();
      const { config } = loadConfigObject(legacy);
      assert.ok(config);
      await h.store.putConfig('legacy', legacy, config);
      const got = await h.app.inject({
        method: 'GET',
        url: '/v1/tool/legacy/config',
        headers: header('legacy'),
      });
      assert.deepEqual(body(got).data, UPGRADED);
      const { deployment, tasks } = sampleDeployment('legacy', { state: 'successful' });
      await h.store.createDeployment({ ...deployment, toolConfig: legacy }, tasks);
      const shown = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/legacy/deployment/${deployment.id}`,
        headers: header('legacy'),
      });
      assert.equal(shown.statusCode, 200, shown.body);
      assert.deepEqual((body(shown).data as { tool_config: unknown }).tool_config, UPGRADED);
    });
  });
}
