/**
 * Upstream-compatibility details over HTTP inject, on every store kind: Starlette's 405 with an `Allow` header
 * and pydantic's `. Received value: '<input>'` suffix of validation errors (docs/upstream-compat.md#envelope).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BETA_WARNING } from '../../../src/api/envelope.js';
import { STORES } from '../../support/stores.js';
import { body, header, openHarness, postConfig, type Harness } from '../../support/api-harness.js';

function errorEnvelope(message: string): unknown {
  return { messages: { info: [], warning: [BETA_WARNING], error: [message] } };
}

for (const kind of STORES) {
  describe(`upstream compatibility: ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await openHarness(kind);
    });
    after(async () => {
      await h.close();
    });

    test('a method the path does not support: 405 with Allow, before authentication', async () => {
      const r = await h.app.inject({ method: 'PATCH', url: '/v1/tool/t/config' });
      assert.equal(r.statusCode, 405);
      assert.deepEqual(r.json(), errorEnvelope('Method Not Allowed'));
      assert.equal(r.headers.allow, 'GET, HEAD, POST, DELETE');

      const healthz = await h.app.inject({ method: 'POST', url: '/v1/healthz' });
      assert.equal(healthz.statusCode, 405);
      assert.equal(healthz.headers.allow, 'GET, HEAD');
    });

    test('405 matches parametric routes and ignores the query string', async () => {
      const r = await h.app.inject({
        method: 'PATCH',
        url: '/v1/tool/t/deployment/abc?token=x',
        headers: header('t'),
      });
      assert.equal(r.statusCode, 405);
      assert.equal(r.headers.allow, 'GET, HEAD, DELETE');

      const cancel = await h.app.inject({ method: 'GET', url: '/v1/tool/t/deployment/latest/cancel' });
      assert.equal(cancel.statusCode, 405);
      assert.equal(cancel.headers.allow, 'PUT');
    });

    test('an unknown path is 404 Not Found whatever the method, without Allow', async () => {
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        const r = await h.app.inject({ method, url: '/v1/tool/t/nothing-here' });
        assert.equal(r.statusCode, 404, method);
        assert.deepEqual(r.json(), errorEnvelope('Not Found'));
        assert.equal(r.headers.allow, undefined);
      }
    });

    test("validation errors carry the value sent, as Python's str()", async () => {
      const r = await postConfig(h.app, 'val', {
        components: {
          a: {
            component_type: 'continuous',
            build: { repository: 'ftp://x', ref: 'main' },
            run: { command: 'x', replicas: 0, mount: true, emails: null, cpu: { a: 1 } },
          },
        },
      });
      assert.equal(r.statusCode, 422);
      const errors = body(r).messages.error ?? [];
      const expected = [
        "Validation error at components -> a -> build -> repository: URL scheme should be 'http', 'https' or 'git'. Received value: 'ftp://x' (line ",
        "Validation error at components -> a -> run -> replicas: Input should be greater than or equal to 1. Received value: '0' (line ",
        "Validation error at components -> a -> run -> mount: Input should be 'all' or 'none'. Received value: 'True' (line ",
        "Validation error at components -> a -> run -> emails: Input should be 'none', 'all', 'onfinish' or 'onfailure'. Received value: 'None' (line ",
        "Validation error at components -> a -> run -> cpu: Input should be a valid string. Received value: '{'a': 1}' (line ",
      ];
      for (const entry of expected) {
        assert.ok(
          errors.some((e) => e.startsWith(entry)),
          `${entry}\nnot in ${JSON.stringify(errors)}`,
        );
      }
    });

    test('a missing field shows the object it is missing from; an empty body shows nothing', async () => {
      const r = await postConfig(h.app, 'val', {
        components: { a: { build: { repository: 'https://example.org/a.git' }, run: { command: 'x' } } },
      });
      assert.equal(r.statusCode, 422);
      assert.ok(
        (body(r).messages.error ?? []).some((e) =>
          e.startsWith(
            "Validation error at components -> a -> build -> ref: Field required. Received value: '{'repository': 'https://example.org/a.git'}'",
          ),
        ),
        JSON.stringify(body(r).messages.error),
      );

      const empty = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/val/config',
        headers: header('val'),
      });
      assert.deepEqual(body(empty).messages.error, ['Validation error at : Field required']);
    });

    test('YAML bodies: the received value comes before the line and column', async () => {
      const r = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/val/config',
        headers: { ...header('val'), 'content-type': 'application/yaml' },
        payload:
          'components:\n  a:\n    component_type: continuous\n    build:\n      repository: https://example.org/a.git\n      ref: main\n    run:\n      command: x\n      replicas: 0\n',
      });
      assert.equal(r.statusCode, 422);
      assert.deepEqual(body(r).messages.error, [
        "Validation error at components -> a -> run -> replicas: Input should be greater than or equal to 1. Received value: '0' (line 9, column 17)",
      ]);
    });

    test('query flags and the deployment description report the value sent', async () => {
      await postConfig(h.app, 'dep');
      const flag = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/dep/deployment?force-build=maybe',
        headers: header('dep'),
      });
      assert.equal(flag.statusCode, 422);
      assert.deepEqual(body(flag).messages.error, [
        "Validation error at force-build: Input should be a valid boolean, unable to interpret input. Received value: 'maybe'",
      ]);

      const description = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/dep/deployment',
        headers: { ...header('dep'), 'content-type': 'application/json' },
        payload: '{"description": 5}',
      });
      assert.equal(description.statusCode, 422);
      assert.deepEqual(body(description).messages.error, [
        "Validation error at description: Input should be a valid string. Received value: '5'",
      ]);
    });
  });
}
