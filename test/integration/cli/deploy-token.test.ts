/**
 * `deploy-token` through the real CLI process against a real components server: `show --json` gives the token
 * (upstream's CI recipe `… --json | jq -r .token`), `create` with a token lists the ways on, a token that cannot
 * be shown fails loudly, and an impossible tool name stops before any request.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type StartedServer } from '../../../src/api/server.js';
import { FakeRuntime } from '../../../src/runtimes/fake/fake-runtime.js';
import { hashToken } from '../../../src/api/auth.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import { openTestStore } from '../../support/stores.js';
import { runCli, startTestApi } from '../../support/cli-kit.js';

const BETA = 'Warning: You are using a beta feature of Toolforge.';

describe('deploy-token against the real server', () => {
  let server: StartedServer;
  let store: KyselyStore;
  let dispose: () => Promise<void>;
  const env = (tool: string) => ({ TOOLFORGE_COMPONENTS_API_URL: server.url, TOOLFORGE_TOOL: tool });

  before(async () => {
    ({ store, dispose } = await openTestStore('sqlite'));
    server = await startServer({ deps: { store, runtime: new FakeRuntime() } });
  });
  after(async () => {
    await server.close();
    await dispose();
  });

  test('create, then show --json prints the same token; create again lists show, refresh and delete', async () => {
    const created = await runCli(['deploy-token', 'create', '--json'], { env: env('cli-tok') });
    assert.equal(created.code, 0, created.stderr);
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    assert.match(token, /^[0-9a-f-]{36}$/);

    const shown = await runCli(['deploy-token', 'show', '--json'], { env: env('cli-tok') });
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal((JSON.parse(shown.stdout) as { token: string }).token, token);

    const again = await runCli(['deploy-token', 'create'], { env: env('cli-tok') });
    assert.equal(again.code, 1);
    assert.equal(again.stdout, '');
    assert.equal(
      again.stderr,
      [
        BETA,
        'A valid deployment token already exists. You can:',
        '  - show it: toolforge-components deploy-token show',
        '  - replace it with a new one: toolforge-components deploy-token refresh',
        '  - delete it: toolforge-components deploy-token delete',
        '',
      ].join('\n'),
    );
  });

  test('a token stored before encryption: show says why and to refresh, and exits 1 (also with --json)', async () => {
    await store.putToken({ tool: 'cli-old', hash: hashToken('x'), createdAt: '2026-11-20T10:00:00.000Z' });
    const json = await runCli(['deploy-token', 'show', '--json'], { env: env('cli-old') });
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout) as { token?: string }).token, undefined);
    assert.match(
      json.stderr,
      /^Warning: The deploy token of cli-old was created before tokens were kept encrypted/,
    );
    assert.match(json.stderr, /deploy-token refresh/);
    const text = await runCli(['deploy-token', 'show'], { env: env('cli-old') });
    assert.equal(text.code, 1);
    assert.match(
      text.stdout,
      /^Token: \(cannot be shown, see the warning above\)\nCreated: 2026-11-20T10:00:00.000Z\n$/,
    );
  });

  test('the requests name the local user, as the gateway would (deployment events use it)', async () => {
    const api = await startTestApi([{ method: 'GET', path: '/v1/tool/t1/deployment/token', status: 404 }]);
    try {
      await runCli(['deploy-token', 'show'], {
        env: { TOOLFORGE_COMPONENTS_API_URL: api.url, TOOLFORGE_TOOL: 't1' },
      });
      const sent = api.requests[0]?.headers['x-toolforge-user'];
      assert.equal(typeof sent, 'string');
      assert.notEqual(sent, '');
    } finally {
      await api.close();
    }
  });
});

test('an impossible tool name is a usage error (exit 2) and nothing is sent', async () => {
  const api = await startTestApi([]);
  try {
    for (const tool of ['AB', "ab'", '-ab']) {
      const r = await runCli(['--tool', tool, 'deploy-token', 'show'], {
        env: { TOOLFORGE_COMPONENTS_API_URL: api.url },
      });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(
        r.stderr,
        `Error: Invalid tool name '${tool}': a tool name starts with a lowercase letter, has only lowercase letters, digits and '-', does not end with '-' and is at most 32 characters long\n`,
      );
    }
    assert.deepEqual(api.requests, []);
  } finally {
    await api.close();
  }
});
