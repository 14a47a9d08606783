/** Upstream-compatible routes (docs/upstream-compat.md) over HTTP inject, on every store kind: statuses, envelopes, messages. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BETA_WARNING } from '../../../src/api/envelope.js';
import { DEPLOY_ID_PATTERN } from '../../../src/api/deploy-id.js';
import { STORES } from '../../support/stores.js';
import { body, header, openHarness, postConfig, webConfig, type Harness } from '../../support/api-harness.js';

const H = header;

function includesEntry(list: readonly string[] | undefined, text: string): boolean {
  return (list ?? []).some((entry) => entry.includes(text));
}

for (const kind of STORES) {
  describe(`upstream routes: ${kind}`, () => {
    let h: Harness;
    let now = new Date('2026-11-24T17:59:44.000Z');
    before(async () => {
      h = await openHarness(kind, { now: () => now });
    });
    after(async () => {
      await h.close();
    });

    test('healthz has all three lists and the beta warning', async () => {
      const r = await h.app.inject({ method: 'GET', url: '/v1/healthz' });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json(), {
        data: { status: 'OK' },
        messages: { info: [], warning: [BETA_WARNING], error: [] },
      });
    });

    test('unknown route: 404 in the error envelope', async () => {
      const r = await h.app.inject({ method: 'GET', url: '/v1/nope' });
      assert.equal(r.statusCode, 404);
      assert.deepEqual(r.json(), { messages: { info: [], warning: [BETA_WARNING], error: ['Not Found'] } });
    });

    test('the header is required on tool routes', async () => {
      const r = await h.app.inject({ method: 'GET', url: '/v1/tool/t1/config' });
      assert.equal(r.statusCode, 401);
      assert.deepEqual(body(r).messages.error, ["The 'x-toolforge-tool' header is required"]);
      assert.equal(body(r).data, undefined);
    });

    test('config: missing, set with unknown-field warning, get, replace, delete, delete again (404)', async () => {
      const missing = await h.app.inject({ method: 'GET', url: '/v1/tool/cfg/config', headers: H('cfg') });
      assert.equal(missing.statusCode, 404);
      assert.deepEqual(body(missing).messages.error, ['No configuration found for tool: cfg']);

      const config = webConfig();
      (config.components as Record<string, Record<string, unknown>>).web!.some_unknown_field = 1;
      const set = await postConfig(h.app, 'cfg', config);
      assert.equal(set.statusCode, 200);
      assert.deepEqual(body(set).messages.info, ['Configuration for cfg updated successfully.']);
      assert.equal(body(set).messages.warning?.[0], BETA_WARNING);
      assert.ok(
        includesEntry(body(set).messages.warning, 'Unknown field components.web.some_unknown_field, skipped'),
      );
      assert.deepEqual(body(set).data, webConfig(), 'unknown fields are dropped from the stored config');

      const got = await h.app.inject({ method: 'GET', url: '/v1/tool/cfg/config', headers: H('cfg') });
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), { data: webConfig(), messages: { warning: [BETA_WARNING] } });

      const removed = await h.app.inject({ method: 'DELETE', url: '/v1/tool/cfg/config', headers: H('cfg') });
      assert.equal(removed.statusCode, 200);
      assert.deepEqual(removed.json(), { data: webConfig(), messages: {} });
      const again = await h.app.inject({ method: 'DELETE', url: '/v1/tool/cfg/config', headers: H('cfg') });
      assert.equal(again.statusCode, 404, 'upstream answers 500 here; we do not copy the bug');
      assert.deepEqual(body(again).messages.error, ['No configuration found for tool: cfg']);
    });

    test('config accepts YAML text in the seed dialect', async () => {
      const yaml =
        'config-version: 0.1\ncomponents:\n  api:\n    type: continuous\n    build:\n      repository: https://example.org/api.git\n';
      const r = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/yamltool/config',
        headers: { ...H('yamltool'), 'content-type': 'application/yaml' },
        payload: yaml,
      });
      assert.equal(r.statusCode, 200, r.body);
    });

    test('config validation: empty body, malformed JSON with position, one entry per error', async () => {
      const empty = await h.app.inject({ method: 'POST', url: '/v1/tool/val/config', headers: H('val') });
      assert.equal(empty.statusCode, 422);
      assert.deepEqual(body(empty).messages.error, ['Validation error at : Field required']);
      assert.equal(body(empty).data, undefined);

      const bad = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/val/config',
        headers: { ...H('val'), 'content-type': 'application/json' },
        payload: '{not json',
      });
      assert.equal(bad.statusCode, 422);
      assert.match(body(bad).messages.error?.[0] ?? '', /^Invalid JSON at position 1: /);

      // Malformed JSON is refused even without authentication (docs/upstream-compat.md#envelope).
      const noAuth = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/val/config',
        headers: { 'content-type': 'application/json' },
        payload: '{"a": ',
      });
      assert.equal(noAuth.statusCode, 422);
      assert.match(body(noAuth).messages.error?.[0] ?? '', /^Invalid JSON at position \d+: /);

      const invalid = await postConfig(h.app, 'val', {
        components: {
          a: {
            component_type: 'continuous',
            build: { repository: 'ftp://x', ref: 'main' },
            run: { command: 'x' },
          },
        },
      });
      assert.equal(invalid.statusCode, 422);
      assert.ok(
        includesEntry(
          body(invalid).messages.error,
          'Validation error at components -> a -> build -> repository: ',
        ),
        JSON.stringify(body(invalid).messages),
      );
    });

    test('bad input of every shape is a 4xx with a readable message, never a 500', async () => {
      const cases: Array<{ type: string; payload: string }> = [
        { type: 'application/json', payload: '[]' },
        { type: 'application/json', payload: '"text"' },
        { type: 'application/json', payload: '42' },
        { type: 'application/json', payload: 'null' },
        { type: 'application/json', payload: '{"components": {"a": null}}' },
        { type: 'application/json', payload: '{"components": []}' },
        { type: 'application/yaml', payload: 'components: [' },
        {
          type: 'application/yaml',
          payload: 'components:\n  a:\n    build: {reuse_from: a}\n    run: {command: x}\n',
        },
        { type: 'text/plain', payload: '\u0000\u0001' },
        { type: 'application/octet-stream', payload: 'x' },
      ];
      for (const c of cases) {
        for (const url of [
          '/v1/tool/bad/config',
          '/v1/tool/bad/deploy?only-plan=true',
          '/v1/tool/bad/deployment',
        ]) {
          const r = await h.app.inject({
            method: 'POST',
            url,
            headers: { ...H('bad'), 'content-type': c.type },
            payload: c.payload,
          });
          assert.ok(
            r.statusCode >= 400 && r.statusCode < 500,
            `${url} ${c.payload}: ${r.statusCode} ${r.body}`,
          );
          const errors = body(r).messages.error ?? [];
          assert.ok(errors.length > 0 && errors.every((e) => e.length > 0 && !e.includes('    at ')), r.body);
        }
      }
      const yamlError = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/bad/config',
        headers: { ...H('bad'), 'content-type': 'application/yaml' },
        payload: 'components: [',
      });
      assert.equal(yamlError.statusCode, 422);
      assert.match(yamlError.body, /line \d+/);
    });

    test('input limits: body size 413, components count and string length 422', async () => {
      const big = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/lim/config',
        headers: { ...H('lim'), 'content-type': 'application/json' },
        payload: JSON.stringify({ components: { a: { x: 'y'.repeat(2 * 1024 * 1024) } } }),
      });
      assert.equal(big.statusCode, 413);
      assert.match(body(big).messages.error?.[0] ?? '', /Request body is too large/);

      const components: Record<string, unknown> = {};
      for (let i = 0; i < 501; i++)
        components[`c${i}`] = { build: { reuse_from: 'c0' }, run: { command: 'x' } };
      const many = await postConfig(h.app, 'lim', { components });
      assert.equal(many.statusCode, 422);
      assert.ok(includesEntry(body(many).messages.error, 'The config has 501 components, the limit is 500'));

      const long = webConfig();
      (long.components as Record<string, { run: Record<string, unknown> }>).web!.run.command = 'x'.repeat(
        10_001,
      );
      const longString = await postConfig(h.app, 'lim', long);
      assert.equal(longString.statusCode, 422);
      assert.ok(
        includesEntry(
          body(longString).messages.error,
          'components -> web -> run -> command: String should have at most 10000 characters',
        ),
      );
    });

    test('deploy tokens: none, create, exists, get (shows it), refresh, delete', async () => {
      const url = '/v1/tool/tok/deployment/token';
      const none = await h.app.inject({ method: 'GET', url, headers: H('tok') });
      assert.equal(none.statusCode, 404);
      assert.deepEqual(body(none).messages.error, ['No deploy token found for tool: tok']);
      const put404 = await h.app.inject({ method: 'PUT', url, headers: H('tok') });
      assert.equal(put404.statusCode, 404);

      const created = await h.app.inject({ method: 'POST', url, headers: H('tok') });
      assert.equal(created.statusCode, 200);
      const data = body(created).data as { token: string; creation_date: string };
      assert.match(data.token, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(data.creation_date, '2026-11-24T17:59:44.000Z');
      assert.deepEqual(body(created).messages, {
        info: ['Deploy token for tok created successfully.'],
        warning: [BETA_WARNING],
        error: [],
      });
      const stored = await h.store.getToken('tok');
      assert.equal(stored?.hash.length, 64);
      assert.ok(!JSON.stringify(stored).includes(data.token), 'never stored in plain text');

      const exists = await h.app.inject({ method: 'POST', url, headers: H('tok') });
      assert.equal(exists.statusCode, 409);
      assert.deepEqual(body(exists).messages.error, [
        "Deploy token already exists. Use the 'refresh' subcommand or PUT /tool/tok/deployment/token to refresh it.",
      ]);

      const got = await h.app.inject({ method: 'GET', url, headers: H('tok') });
      assert.equal(got.statusCode, 200);
      assert.deepEqual(body(got), {
        data: {
          token: data.token,
          creation_date: data.creation_date,
          expiration_date: '2027-11-24T17:59:44.000Z',
        },
        messages: { info: [], warning: [BETA_WARNING], error: [] },
      });

      const refreshed = await h.app.inject({ method: 'PUT', url, headers: H('tok') });
      assert.equal(refreshed.statusCode, 200);
      assert.notEqual((body(refreshed).data as { token: string }).token, data.token);
      assert.deepEqual(body(refreshed).messages.info, ['Deploy token for tok updated successfully.']);

      const removed = await h.app.inject({ method: 'DELETE', url, headers: H('tok') });
      assert.equal(removed.statusCode, 200);
      assert.equal(
        (body(removed).data as { token: string }).token,
        (body(refreshed).data as { token: string }).token,
        'DELETE shows the token it deleted',
      );
      assert.deepEqual(body(removed).messages.info, ['Deploy token for tok deleted successfully.']);
      assert.equal((await h.app.inject({ method: 'DELETE', url, headers: H('tok') })).statusCode, 404);
    });

    test('token auth on POST /deployment and GET /deployment/{id}: every upstream message', async () => {
      const tool = 'tauth';
      assert.equal((await postConfig(h.app, tool)).statusCode, 200);
      const neither = await h.app.inject({ method: 'POST', url: `/v1/tool/${tool}/deployment` });
      assert.equal(neither.statusCode, 401);
      assert.deepEqual(body(neither).messages.error, [
        "The 'x-toolforge-tool' header or a token are required",
      ]);

      const noToken = await h.app.inject({ method: 'POST', url: `/v1/tool/${tool}/deployment?token=abc` });
      assert.equal(noToken.statusCode, 401);
      assert.deepEqual(body(noToken).messages.error, [
        `The tool '${tool}' has no deploy token yet, you have to create one before using it`,
      ]);

      const created = await h.app.inject({
        method: 'POST',
        url: `/v1/tool/${tool}/deployment/token`,
        headers: H(tool),
      });
      const token = (body(created).data as { token: string }).token;
      const wrong = await h.app.inject({
        method: 'POST',
        url: `/v1/tool/${tool}/deployment?token=${token}x`,
      });
      assert.equal(wrong.statusCode, 401);
      assert.deepEqual(body(wrong).messages.error, [
        `The token passed '${token}x' does not match the tool's token`,
      ]);

      const ok = await h.app.inject({
        method: 'POST',
        url: `/v1/tool/${tool}/deployment?token=${token}`,
        payload: { description: 'first deploy' },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      const id = (body(ok).data as { deploy_id: string }).deploy_id;
      const get = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/${tool}/deployment/${id}?token=${token}`,
      });
      assert.equal(get.statusCode, 200);
      // latest and the token routes take the header only.
      const latest = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/${tool}/deployment/latest?token=${token}`,
      });
      assert.equal(latest.statusCode, 401);
      assert.deepEqual(body(latest).messages.error, ["The 'x-toolforge-tool' header is required"]);

      // A token older than 365 days has expired.
      const saved = now;
      now = new Date(saved.getTime() + 366 * 24 * 3600 * 1000);
      try {
        const expired = await h.app.inject({
          method: 'GET',
          url: `/v1/tool/${tool}/deployment/${id}?token=${token}`,
        });
        assert.equal(expired.statusCode, 401);
        assert.deepEqual(body(expired).messages.error, [
          `The token passed '${token}' has expired, please create a new one`,
        ]);
      } finally {
        now = saved;
      }
    });

    test('deployments: create, 409 while active, get, list, latest, cancel, delete', async () => {
      const tool = 'dep';
      const noConfig = await h.app.inject({
        method: 'POST',
        url: `/v1/tool/${tool}/deployment`,
        headers: H(tool),
      });
      assert.equal(noConfig.statusCode, 404);
      assert.deepEqual(body(noConfig).messages.error, [`No configuration found for tool: ${tool}`]);
      const emptyList = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/${tool}/deployment`,
        headers: H(tool),
      });
      assert.deepEqual(emptyList.json(), { data: { deployments: [] }, messages: {} });
      const noLatest = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/${tool}/deployment/latest`,
        headers: H(tool),
      });
      assert.equal(noLatest.statusCode, 404);
      assert.deepEqual(body(noLatest).messages.error, [`No deployments found for tool: ${tool}`]);

      await postConfig(h.app, tool);
      const badFlag = await h.app.inject({
        method: 'POST',
        url: `/v1/tool/${tool}/deployment?force-build=maybe`,
        headers: H(tool),
      });
      assert.equal(badFlag.statusCode, 422);
      assert.ok(includesEntry(body(badFlag).messages.error, 'Validation error at force-build'));

      const created = await h.app.inject({
        method: 'POST',
        url: `/v1/tool/${tool}/deployment?force-run=true`,
        headers: H(tool),
      });
      assert.equal(created.statusCode, 200, created.body);
      assert.deepEqual(body(created).messages, { info: [`Deployment for ${tool} created successfully.`] });
      const d = body(created).data as Record<string, unknown> & {
        deploy_id: string;
        builds: Record<string, { build_id: string; build_status: string }>;
        runs: Record<string, { run_status: string }>;
        tasks: unknown[];
      };
      assert.match(d.deploy_id, DEPLOY_ID_PATTERN);
      assert.equal(d.creation_time, '20261124-175944');
      assert.equal(d.description, '');
      assert.equal(d.force_run, true);
      assert.equal(d.force_build, false);
      assert.equal(d.status, 'pending', 'no executor: the deployment honestly stays pending');
      assert.deepEqual(d.tool_config, webConfig());
      assert.deepEqual(d.builds.web?.build_status, 'pending');
      assert.deepEqual(d.builds.web?.build_id, 'no-id-yet');
      assert.deepEqual(d.builds.cron, {
        build_id: 'no-build-needed',
        build_status: 'skipped',
        build_long_status: 'Component re-uses build from web',
      });
      assert.equal(d.runs.web?.run_status, 'pending');
      assert.ok(Array.isArray(d.tasks) && d.tasks.length > 0);

      const busy = await h.app.inject({
        method: 'POST',
        url: `/v1/tool/${tool}/deployment`,
        headers: H(tool),
      });
      assert.equal(busy.statusCode, 409);
      assert.ok(
        includesEntry(
          body(busy).messages.error,
          "There's already 1 running, the limit is 1. Wait for it to finish for now.",
        ),
      );
      assert.ok(includesEntry(body(busy).messages.error, d.deploy_id));

      const get = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/${tool}/deployment/${d.deploy_id}`,
        headers: H(tool),
      });
      assert.equal(get.statusCode, 200);
      assert.deepEqual(body(get).messages, {});
      const unknown = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/${tool}/deployment/nope`,
        headers: H(tool),
      });
      assert.equal(unknown.statusCode, 404);
      assert.deepEqual(body(unknown).messages.error, [`Deployment nope not found for tool: ${tool}`]);

      const cancelled = await h.app.inject({
        method: 'PUT',
        url: `/v1/tool/${tool}/deployment/latest/cancel`,
        headers: H(tool),
      });
      assert.equal(cancelled.statusCode, 200);
      assert.deepEqual(body(cancelled).messages, {
        info: ['Deployment flagged for cancellation, might take a moment to cancel.'],
      });
      assert.equal((body(cancelled).data as { status: string }).status, 'cancelling');
      const twice = await h.app.inject({
        method: 'PUT',
        url: `/v1/tool/${tool}/deployment/${d.deploy_id}/cancel`,
        headers: H(tool),
      });
      assert.equal(twice.statusCode, 409);
      assert.deepEqual(body(twice).messages.error, [
        "Deployment can't be cancelled, it's state is cancelling",
      ]);

      // cancelling does not count as active: a new deployment may start.
      const second = await h.app.inject({
        method: 'POST',
        url: `/v1/tool/${tool}/deployment`,
        headers: H(tool),
      });
      assert.equal(second.statusCode, 200);
      const list = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/${tool}/deployment`,
        headers: H(tool),
      });
      assert.deepEqual(
        (body(list).data as { deployments: Array<{ deploy_id: string }> }).deployments.map(
          (x) => x.deploy_id,
        )[0],
        d.deploy_id,
      );
      const latest = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/${tool}/deployment/latest`,
        headers: H(tool),
      });
      assert.equal(
        (body(latest).data as { deploy_id: string }).deploy_id,
        (body(second).data as { deploy_id: string }).deploy_id,
      );

      const removed = await h.app.inject({
        method: 'DELETE',
        url: `/v1/tool/${tool}/deployment/${d.deploy_id}`,
        headers: H(tool),
      });
      assert.equal(removed.statusCode, 200);
      assert.deepEqual(body(removed).messages, { info: [`Deployment ${d.deploy_id} deleted successfully.`] });
      const gone = await h.app.inject({
        method: 'DELETE',
        url: `/v1/tool/${tool}/deployment/${d.deploy_id}`,
        headers: H(tool),
      });
      assert.equal(gone.statusCode, 404);
      const literalLatest = await h.app.inject({
        method: 'DELETE',
        url: `/v1/tool/${tool}/deployment/latest`,
        headers: H(tool),
      });
      assert.equal(literalLatest.statusCode, 404, '`latest` is a literal id for DELETE (upstream)');
    });

    test('finished deployments cannot be cancelled; stale ones time out after an hour', async () => {
      const tool = 'stale';
      await postConfig(h.app, tool);
      const created = await h.app.inject({
        method: 'POST',
        url: `/v1/tool/${tool}/deployment`,
        headers: H(tool),
      });
      const id = (body(created).data as { deploy_id: string }).deploy_id;
      const saved = now;
      now = new Date(saved.getTime() + 61 * 60 * 1000);
      try {
        const got = await h.app.inject({
          method: 'GET',
          url: `/v1/tool/${tool}/deployment/${id}`,
          headers: H(tool),
        });
        assert.equal((body(got).data as { status: string }).status, 'timed_out');
        const cancel = await h.app.inject({
          method: 'PUT',
          url: `/v1/tool/${tool}/deployment/${id}/cancel`,
          headers: H(tool),
        });
        assert.equal(cancel.statusCode, 409);
        assert.deepEqual(body(cancel).messages.error, [
          "Deployment can't be cancelled, it's state is timed_out",
        ]);
      } finally {
        now = saved;
      }
    });

    test('retention keeps the newest 25 deployments', async () => {
      const tool = 'keep';
      await postConfig(h.app, tool);
      const saved = now;
      try {
        for (let i = 0; i < 27; i++) {
          now = new Date(saved.getTime() + i * 1000);
          const r = await h.app.inject({
            method: 'POST',
            url: `/v1/tool/${tool}/deployment`,
            headers: H(tool),
          });
          assert.equal(r.statusCode, 200);
          await h.store.updateDeployment((body(r).data as { deploy_id: string }).deploy_id, {
            state: 'successful',
          });
        }
      } finally {
        now = saved;
      }
      const list = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/${tool}/deployment`,
        headers: H(tool),
      });
      assert.equal((body(list).data as { deployments: unknown[] }).deployments.length, 25);
    });

    test('config/generate: from jobs and builds, and the sample when nothing can be generated', async () => {
      const sample = await h.app.inject({
        method: 'GET',
        url: '/v1/tool/gen0/config/generate',
        headers: H('gen0'),
      });
      assert.equal(sample.statusCode, 200);
      assert.deepEqual(body(sample).messages, {
        warning: [
          'Note that this config is an autogenerated example, please double check and validate before using it',
          'No components were able to be generated from your tool, a sample set of them is returned instead',
        ],
      });
      assert.deepEqual(Object.keys((body(sample).data as { components: object }).components), [
        'my-backend-service-1',
        'my-backend-service-2',
        'my-cronjob1',
      ]);
    });

    test('source_url: fetched with our User-Agent on set; failures are 400 "Unable to retrive config"', async () => {
      let userAgent: string | undefined;
      const server: Server = createServer((request, response) => {
        userAgent = request.headers['user-agent'];
        if (request.url === '/good.yaml') {
          response.end(JSON.stringify(webConfig()));
        } else {
          response.statusCode = 404;
          response.end('nope');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const good = await postConfig(h.app, 'src', { ...webConfig(), source_url: `${base}/good.yaml` });
        assert.equal(good.statusCode, 200, good.body);
        assert.equal(userAgent, 'Toolforge components-api');
        assert.deepEqual(body(good).data, webConfig());

        const bad = await postConfig(h.app, 'src2', { ...webConfig(), source_url: `${base}/missing.yaml` });
        assert.equal(bad.statusCode, 400);
        assert.match(
          body(bad).messages.error?.[0] ?? '',
          new RegExp(`^Unable to retrive config from source url ${base}/missing.yaml: `),
        );
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });
}
