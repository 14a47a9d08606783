/**
 * The upstream verbs end to end through the real CLI process, against a loopback server answering with
 * upstream's recorded responses: outputs, stderr lines and exit codes as docs/upstream-compat.md#cli states them.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordedBody, runCli, startTestApi, upstream, type TestApi } from '../../../support/cli-kit.js';

const BETA = 'Warning: You are using a beta feature of Toolforge.';
let api: TestApi;
const env = (): Record<string, string> => ({ TOOLFORGE_COMPONENTS_API_URL: api.url, TOOLFORGE_TOOL: 't1' });

before(async () => {
  api = await startTestApi([
    upstream('get config'),
    upstream('post valid config with an unknown field'),
    upstream('list deployments'),
    upstream('latest deployment'),
    upstream('create deploy token again'),
    upstream('get deploy token, none'),
    upstream('delete config'),
    upstream('create deployment via token (new build)'),
    {
      method: 'GET',
      path: '/v1/tool/t1/deployment/20261124-175944-z0acpafyv7',
      body: {
        data: (recordedBody('list deployments') as { data: { deployments: unknown[] } }).data.deployments[0],
        messages: {},
      },
    },
    {
      method: 'GET',
      path: '/v1/tool/t1/deployment/boom',
      status: 500,
      body: { messages: { info: [], warning: [], error: ['database is on fire'] } },
    },
  ]);
});
after(() => api.close());

describe('upstream verbs', { concurrency: 4 }, () => {
  test('config show: block YAML in the server key order, an empty line after it, the beta warning on stderr', async () => {
    const r = await runCli(['config', 'show'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith('config_version: v1beta1\ncomponents:\n  web:\n    build:\n'), r.stdout);
    assert.ok(r.stdout.endsWith('component_type: scheduled\n\n'));
    assert.equal(r.stderr, `${BETA}\n`);
  });

  test('config create from stdin: the YAML goes as JSON; info to stdout, warnings to stderr', async () => {
    const yaml =
      'components:\n  web:\n    build: {repository: "https://x.org/r", ref: main}\n    run: {command: web}\n    some_unknown_field: 1\n';
    const r = await runCli(['config', 'create'], { env: env(), input: yaml });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Configuration for t1 updated successfully.\n');
    assert.equal(r.stderr, `${BETA}\nWarning: Unknown field components.web.some_unknown_field, skipped\n`);
    const posted = api.requests.find(
      (q) => q.method === 'POST' && q.url === '/v1/tool/t1/config' && q.body.includes('some_unknown_field'),
    );
    assert.deepEqual(JSON.parse(posted?.body ?? '{}'), {
      components: {
        web: {
          build: { repository: 'https://x.org/r', ref: 'main' },
          run: { command: 'web' },
          some_unknown_field: 1,
        },
      },
    });
  });

  test('config create with a file that does not exist is a usage error (exit 2)', async () => {
    const r = await runCli(['config', 'create', '/nonexistent/tool.yaml'], { env: env() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /File '\/nonexistent\/tool\.yaml' does not exist/);
  });

  test("config delete: answering no aborts (exit 1) before any DELETE; end of input is click's Abort", async () => {
    const no = await runCli(['config', 'delete'], { env: env(), input: 'n\n' });
    assert.equal(no.code, 1);
    assert.equal(
      no.stdout,
      "Are you sure you want to delete the configuration? This cannot be undone. [y/N]: Aborting at user's request.\n",
    );
    const eof = await runCli(['config', 'delete'], { env: env(), input: '' });
    assert.equal(eof.code, 1);
    assert.match(
      eof.stderr,
      /Abort: \nPlease report this issue to the Toolforge admins if it persists: https:\/\/w\.wiki\/6Zuu\n$/,
    );
    assert.equal(api.requests.filter((q) => q.method === 'DELETE').length, 0);
  });

  test('deployment list: tabulate "simple" table, cells cut to 45 characters', async () => {
    const r = await runCli(['deployment', 'list'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0] ?? '', /^ID {26}Creation time {4}Status {6}Builds {2,}Runs/);
    assert.match(lines[1] ?? '', /^-{26} {2}-{15} {2}-{10} {2}-+ {2}-+$/);
    assert.match(
      r.stdout,
      /20261124-175944-z0acpafyv7 {2}20261124-175944 {2}successful {2}web\(successful\): id:t1-buildpacks-pipelinerun-x7k2p You can see the logs with `toolforge build l/,
    );
  });

  test('deployment show: latest when no id; labels, long status indented, builds, runs, sorted config YAML', async () => {
    const r = await runCli(['deployment', 'show'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      api.requests.some((q) => q.url === '/v1/tool/t1/deployment/latest'),
      true,
    );
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 4), [
      'Deployment ID: 20261124-175944-u2noxnxxuv',
      'Created: 20261124-175944',
      'Status: successful',
      'Long status: ',
    ]);
    assert.ok(lines.includes('Builds:') && lines.includes('Runs:') && lines.includes('Tool config:'));
    assert.ok(lines.includes('  components:') && lines.includes('  config_version: v1beta1'));
    assert.ok(lines.indexOf('  components:') < lines.indexOf('  config_version: v1beta1'), 'sorted keys');
  });

  test('deploy-token create when one exists: the ways on (show, refresh, delete), exit 1, after the beta warning', async () => {
    const r = await runCli(['deploy-token', 'create'], { env: env() });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
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

  test('deploy-token show without a token: "No deployment token found"; a 5xx: ComponentsClientError + report line', async () => {
    const none = await runCli(['deploy-token', 'show'], { env: env() });
    assert.equal(none.code, 0);
    assert.equal(none.stdout, 'No deployment token found\n');
    const boom = await runCli(['deployment', 'show', 'boom'], { env: env() });
    assert.equal(boom.code, 1);
    assert.equal(
      boom.stderr,
      'ComponentsClientError: database is on fire\nPlease report this issue to the Toolforge admins if it persists: https://w.wiki/6Zuu\n',
    );
  });

  test('deploy against upstream (no /deploy, no events): stores the config, creates the deployment, polls it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upstream-deploy-'));
    try {
      const file = join(dir, 'tool.yaml');
      writeFileSync(
        file,
        'components:\n  web:\n    build: {repository: "https://x.org/r", ref: main}\n    run: {command: web}\n',
      );
      const r = await runCli(['deploy', file], { env: env() });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        [
          'Starting deploy for t1 (deployment 20261124-175944-z0acpafyv7)...',
          'Building images:',
          '[✅] web',
          'Deploying components:',
          '[✅] web',
          '[✅] cron',
          'All components deployed',
          '',
        ].join('\n'),
      );
      const calls = api.requests.map((q) => `${q.method} ${q.url.split('?')[0]}`);
      assert.ok(calls.includes('POST /v1/tool/t1/deploy') && calls.includes('POST /v1/tool/t1/deployment'));
      assert.ok(calls.indexOf('POST /v1/tool/t1/config') < calls.indexOf('POST /v1/tool/t1/deployment'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
