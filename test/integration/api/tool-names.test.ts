/**
 * Tool names follow Toolforge's rule on every tool route: a name that cannot be a tool is a 422 in upstream's
 * envelope, answered before authentication, body parsing or any store access, so nothing is read or written.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidToolName } from '../../../src/api/tool-name.js';
import { BETA_WARNING } from '../../../src/api/envelope.js';
import { STORES } from '../../support/stores.js';
import {
  body,
  header,
  openHarness,
  postConfig,
  webConfig,
  type Harness,
  TOOL_ROUTES,
} from '../../support/api-harness.js';

/** Names Toolforge would never create, as they appear in a URL path. */
const INVALID: ReadonlyArray<readonly [string, string]> = [
  ['AB', 'AB'],
  ["ab'", "ab'"],
  ['-ab', '-ab'],
  ['ab-', 'ab-'],
  ['1ab', '1ab'],
  ['a_b', 'a_b'],
  ['a.b', 'a.b'],
  ['a%20b', 'a b'],
  ['x'.repeat(33), 'x'.repeat(33)],
];

test('the rule: lowercase letter first, lowercase letters, digits and - after, no trailing -, 1 to 32 characters', () => {
  for (const name of ['a', 'ab', 'tool-a', 't1', 'toolhunt-api', 'a1-b2', 'x'.repeat(32)]) {
    assert.equal(isValidToolName(name), true, name);
  }
  for (const [, name] of INVALID) assert.equal(isValidToolName(name), false, name);
  for (const name of ['', 'a\n', 'ab\u00e9', 'Ab', 'a--']) assert.equal(isValidToolName(name), false, name);
});

for (const kind of STORES) {
  describe(`tool names on every tool route: ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await openHarness(kind);
      assert.equal((await postConfig(h.app, 'good')).statusCode, 200);
    });
    after(async () => {
      await h.close();
    });

    async function everything(): Promise<string> {
      return JSON.stringify([
        await h.store.listConfigs(),
        await h.store.listTokens(),
        await h.store.findDeployments([
          'pending',
          'running',
          'successful',
          'failed',
          'cancelled',
          'cancelling',
          'timed_out',
        ]),
      ]);
    }

    for (const [method, pattern] of TOOL_ROUTES) {
      const route = pattern.replace('{id}', '20261124-175944-z0acpafyv7');
      test(`${method} ${route}: 422 for every impossible tool name, nothing read or stored`, async () => {
        const before = await everything();
        for (const [inPath, name] of INVALID) {
          const r = await h.app.inject({
            method,
            url: `/v1/tool/${inPath}${route}`,
            // A header naming the same impossible tool, and a body that would be stored if it got that far.
            headers: { ...header(name.replace(/[^\x20-\x7e]/g, '')), 'content-type': 'application/json' },
            ...(method === 'POST' ? { payload: JSON.stringify(webConfig()) } : {}),
          });
          assert.equal(r.statusCode, 422, `${name}: ${r.body}`);
          assert.deepEqual(r.json(), {
            messages: {
              info: [],
              warning: [BETA_WARNING],
              error: [
                `Validation error at toolname: Invalid tool name, a tool name starts with a lowercase letter, has only lowercase letters, digits and '-', does not end with '-' and is at most 32 characters long. Received value: '${name}'`,
              ],
            },
          });
        }
        assert.equal(await everything(), before, 'the store is unchanged');
      });
    }

    test('the name is checked before authentication: no header and a token still give the 422', async () => {
      const noHeader = await h.app.inject({ method: 'GET', url: '/v1/tool/AB/config' });
      assert.equal(noHeader.statusCode, 422);
      const token = await h.app.inject({ method: 'POST', url: '/v1/tool/AB/deployment?token=x' });
      assert.equal(token.statusCode, 422, 'not 401 "has no deploy token yet": the token table was not asked');
    });

    test('the name is checked before the body: malformed JSON for an impossible tool is the tool-name 422', async () => {
      const r = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/AB/config',
        headers: { ...header('AB'), 'content-type': 'application/json' },
        payload: '{"components": ',
      });
      assert.equal(r.statusCode, 422);
      assert.match(body(r).messages.error?.[0] ?? '', /^Validation error at toolname: Invalid tool name/);
    });

    test('valid names of every shape still work', async () => {
      for (const name of ['a', 'a1-b2', 'x'.repeat(32)]) {
        const r = await postConfig(h.app, name);
        assert.equal(r.statusCode, 200, `${name}: ${r.body}`);
      }
    });
  });
}
