/**
 * Bodies built to exhaust the stack — a self-referencing YAML alias (10 bytes) and JSON nested 5 000 deep —
 * get a 422 with a readable message on every route that reads a config or a JSON body, over real HTTP on
 * loopback; the server keeps answering afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startServer, type StartedServer } from '../../../src/api/server.js';
import { STORES } from '../../support/stores.js';
import { header, openHarness, postConfig, type Harness } from '../../support/api-harness.js';

const ROUTES = ['config', 'deploy', 'deploy?only-plan=true', 'deployment'] as const;

const RECURSIVE_ALIAS = 'a: &a [*a]';
const DEEP_ARRAY = `{"components": ${'['.repeat(5000)}${']'.repeat(5000)}}`;
const DEEP_OBJECT = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;

interface Answer {
  readonly status: number;
  readonly errors: string[];
}

for (const kind of STORES) {
  describe(`hostile config bodies: ${kind}`, () => {
    let h: Harness;
    let server: StartedServer;
    before(async () => {
      h = await openHarness(kind);
      server = await startServer({ deps: { store: h.store, runtime: h.runtime } });
      // A stored config, so that a route accepting the body would go on to deploy (not stop at a 404).
      await postConfig(h.app, 'hostile');
    });
    after(async () => {
      await server.close();
      await h.close();
    });

    async function post(route: string, payload: string, contentType: string): Promise<Answer> {
      const response = await request(`${server.url}/v1/tool/hostile/${route}`, {
        method: 'POST',
        headers: { ...header('hostile'), 'content-type': contentType },
        body: payload,
      });
      const json = (await response.body.json()) as { messages?: { error?: string[] } };
      return { status: response.statusCode, errors: json.messages?.error ?? [] };
    }

    for (const route of ROUTES) {
      test(`POST …/${route}: JSON nested 5 000 deep → 422 naming the depth`, async () => {
        for (const payload of [DEEP_ARRAY, DEEP_OBJECT]) {
          const answer = await post(route, payload, 'application/json');
          assert.equal(answer.status, 422, answer.errors.join('\n'));
          assert.equal(answer.errors.length, 1);
          assert.match(
            answer.errors[0] ?? '',
            /^Validation error at (components|a)( -> (0|a)){5}…: the config is nested more than 64 levels deep and cannot be read$/,
          );
        }
      });

      test(`POST …/${route}: a recursive YAML alias → 422, never a 500`, async () => {
        const answer = await post(route, RECURSIVE_ALIAS, 'application/yaml');
        assert.equal(answer.status, 422, answer.errors.join('\n'));
        assert.equal(answer.errors.length, 1);
        // …/deployment takes only an optional JSON description: it refuses YAML as upstream does.
        const expected =
          route === 'deployment'
            ? /^Invalid JSON at position \d+: /
            : /^Validation error at a -> 0: a YAML alias refers to a node that contains it \(a recursive alias\), so the config cannot be read$/;
        assert.match(answer.errors[0] ?? '', expected);
      });
    }

    test('deep flow nesting in YAML text (not JSON-looking) → 422 with its line and column', async () => {
      const answer = await post('config', `components: ${'['.repeat(5000)}`, 'application/yaml');
      assert.equal(answer.status, 422);
      assert.deepEqual(answer.errors, [
        'Validation error at : the config is nested too deeply to be read (more than 500 levels) (line 1, column 513)',
      ]);
    });

    test('the service still answers after the hostile bodies, and nothing was deployed', async () => {
      const response = await request(`${server.url}/v1/tool/hostile/config`, { headers: header('hostile') });
      assert.equal(response.statusCode, 200);
      await response.body.dump();
      assert.equal((await h.store.listDeployments('hostile')).length, 0);
    });
  });
}
