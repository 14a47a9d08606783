/**
 * `POST /v1/config/search`: the tools whose stored config matches every `path: value` (with `[]` for any
 * element of a list or value of a map), compared in upstream's form whatever dialect the config came in.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchPath, valuesAt } from '../../../src/api/config-search.js';
import { BETA_WARNING } from '../../../src/api/envelope.js';
import { STORES } from '../../support/stores.js';
import { body, openHarness, postConfig, webConfig, type Harness } from '../../support/api-harness.js';

const REPO = 'https://gitlab.wikimedia.org/toolforge-repos/sample-static-buildpack-app';

test('paths: keys, [] for any element or map value, [n] for one element', () => {
  const doc = { a: { b: [{ c: 1 }, { c: 2 }], m: { x: { c: 3 }, y: { c: 4 } } } };
  const steps = (path: string) => {
    const parsed = parseSearchPath(path);
    assert.ok('steps' in parsed, path);
    return parsed.steps;
  };
  assert.deepEqual(valuesAt(doc, steps('a.b[].c')), [1, 2]);
  assert.deepEqual(valuesAt(doc, steps('a.b[1].c')), [2]);
  assert.deepEqual(valuesAt(doc, steps('a.m[].c')), [3, 4]);
  assert.deepEqual(valuesAt(doc, steps('a.b[5].c')), []);
  assert.deepEqual(valuesAt(doc, steps('a.nope')), []);
  assert.deepEqual(valuesAt(doc, steps('a.b')), [doc.a.b]);
  for (const bad of ['', 'a..b', '.a', 'a.', 'a[x]', 'a[]b', '[]']) {
    assert.ok('problem' in parseSearchPath(bad), bad);
  }
});

for (const kind of STORES) {
  describe(`config search: ${kind}`, () => {
    let h: Harness;
    const search = (payload: unknown) =>
      h.app.inject({
        method: 'POST',
        url: '/v1/config/search',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
    const tools = async (matches: Record<string, unknown>): Promise<string[]> => {
      const r = await search({ matches });
      assert.equal(r.statusCode, 200, r.body);
      return (body(r).data as { tools: string[] }).tools;
    };

    before(async () => {
      h = await openHarness(kind);
      assert.equal((await postConfig(h.app, 'srch-b')).statusCode, 200);
      const other = webConfig();
      (other.components as Record<string, { build: Record<string, unknown> }>).web!.build = {
        repository: 'https://gitlab.wikimedia.org/toolforge-repos/other',
        ref: 'main',
      };
      assert.equal((await postConfig(h.app, 'srch-a', other)).statusCode, 200);
      // The seed dialect (kebab-case) is searched in upstream's spelling too.
      const seed = {
        'config-version': 0.1,
        components: {
          api: {
            type: 'continuous',
            build: { repository: REPO, ref: 'main' },
            run: { command: 'api', port: 8000 },
          },
          worker: { type: 'continuous', build: { 'reuse-from': 'api' }, run: { command: 'work' } },
        },
      };
      assert.equal((await postConfig(h.app, 'srch-c', seed)).statusCode, 200);
    });
    after(async () => {
      await h.close();
    });

    test('needs no tool header; answers the matching tools by name, sorted', async () => {
      const r = await search({ matches: { 'components[].build.repository': REPO } });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json(), {
        data: { tools: ['srch-b', 'srch-c'] },
        messages: { warning: [BETA_WARNING] },
      });
    });

    test('every entry must hold; values compare by deep equality', async () => {
      assert.deepEqual(await tools({ 'components.cron.run.schedule': '@daily' }), ['srch-a', 'srch-b']);
      assert.deepEqual(
        await tools({ 'components.cron.run.schedule': '@daily', 'components[].build.repository': REPO }),
        ['srch-b'],
      );
      assert.deepEqual(await tools({ 'components[].build': { reuse_from: 'api' } }), ['srch-c']);
      assert.deepEqual(await tools({ 'components[].run.port': 8000 }), ['srch-a', 'srch-b', 'srch-c']);
      assert.deepEqual(await tools({ 'components[].run.port': '8000' }), [], 'no type coercion');
      assert.deepEqual(await tools({ 'components.nope.run.port': 8000 }), []);
    });

    test('bad input: upstream-style 422s, every bad path at once', async () => {
      const none = await search({});
      assert.equal(none.statusCode, 422);
      assert.deepEqual(body(none).messages.error, ['Validation error at matches: Field required']);
      const empty = await search({ matches: {} });
      assert.deepEqual(body(empty).messages.error, [
        'Validation error at matches: Dictionary should have at least 1 item after validation, not 0',
      ]);
      const list = await search({ matches: ['a'] });
      assert.deepEqual(body(list).messages.error, [
        "Validation error at matches: Input should be a valid dictionary. Received value: '['a']'",
      ]);
      const paths = await search({ matches: { 'a..b': 1, 'c[x]': 2, ok: 3 } });
      assert.equal(paths.statusCode, 422);
      assert.equal(body(paths).messages.error?.length, 2);
      assert.match(
        body(paths).messages.error?.[0] ?? '',
        /^Validation error at matches -> a\.\.b: Invalid path: /,
      );
      const malformed = await h.app.inject({
        method: 'POST',
        url: '/v1/config/search',
        headers: { 'content-type': 'application/json' },
        payload: '{"matches": ',
      });
      assert.equal(malformed.statusCode, 422);
      assert.match(body(malformed).messages.error?.[0] ?? '', /^Invalid JSON at position/);
    });
  });
}
