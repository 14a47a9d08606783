import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoTargetError, resolveTarget, type TargetContext } from './target.js';
import { configFilePaths } from '../toolforge/weld-config.js';

/** A temp HOME; the toolforge config files are the user ones only (never this machine's /etc/toolforge). */
function withHome(run: (home: string, ctx: (env?: Record<string, string>) => TargetContext) => void): void {
  const home = mkdtempSync(join(tmpdir(), 'target-home-'));
  try {
    run(home, (env = {}) => ({
      env,
      home,
      version: '0.0.0',
      toolforgeConfigFiles: configFilePaths({ env, home }).filter((p) => !p.startsWith('/etc/')),
    }));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function kubeconfig(home: string, namespace: string): void {
  mkdirSync(join(home, '.kube'), { recursive: true });
  writeFileSync(
    join(home, '.kube', 'config'),
    [
      'apiVersion: v1',
      'current-context: toolforge',
      'contexts:',
      '- name: toolforge',
      `  context: {cluster: toolforge, user: tf-user, namespace: ${namespace}}`,
      'clusters:',
      '- name: toolforge',
      '  cluster: {server: "https://k8s.example:6443"}',
      'users:',
      '- name: tf-user',
      '  user:',
      `    client-certificate-data: ${Buffer.from('CERT').toString('base64')}`,
      '    client-key: key.pem',
    ].join('\n'),
  );
  writeFileSync(join(home, '.kube', 'key.pem'), 'KEY');
}

test('--api-url and --tool: a direct server, with the tool header', () => {
  withHome((_home, ctx) => {
    const target = resolveTarget({ apiUrl: 'http://127.0.0.1:8000', tool: 'mytool' }, ctx());
    assert.equal(target.source, 'flag');
    assert.equal(target.toolUrl, 'http://127.0.0.1:8000/v1/tool/mytool');
    assert.equal(target.sendToolHeader, true);
    assert.match(target.userAgent, /^tool-mytool@.+:components-cli toolforge-components\/0\.0\.0$/);
  });
});

test('environment: TOOLFORGE_COMPONENTS_API_URL and TOOLFORGE_TOOL', () => {
  withHome((_home, ctx) => {
    const target = resolveTarget(
      {},
      ctx({ TOOLFORGE_COMPONENTS_API_URL: 'http://127.0.0.1:9/', TOOLFORGE_TOOL: 'x' }),
    );
    assert.equal(target.source, 'env');
    assert.equal(target.toolUrl, 'http://127.0.0.1:9/v1/tool/x');
  });
});

test('kubeconfig namespace tool-<name>: the gateway (upstream default URL), client certificate, no tool header', () => {
  withHome((home, ctx) => {
    kubeconfig(home, 'tool-toolhunt');
    const target = resolveTarget({}, ctx());
    assert.equal(target.source, 'gateway');
    assert.equal(
      target.toolUrl,
      'https://api.svc.tools.eqiad1.wikimedia.cloud:30003/components/v1/tool/toolhunt',
    );
    assert.equal(target.sendToolHeader, false);
    assert.equal(target.tls?.cert?.toString(), 'CERT');
    assert.equal(target.tls?.key?.toString(), 'KEY');
  });
});

test('toolforge config files merge at the top level, later files win; TOOL_TOOLFORGE_API_URL wins over them', () => {
  withHome((home, ctx) => {
    kubeconfig(home, 'tool-toolhunt');
    writeFileSync(
      join(home, '.toolforge.yaml'),
      'api_gateway: {url: "https://one:1"}\ncomponents: {components_endpoint: /c/v9}\n',
    );
    mkdirSync(join(home, '.config'));
    writeFileSync(join(home, '.config', 'toolforge.yaml'), 'api_gateway: {url: "https://two:2"}\n');
    assert.equal(resolveTarget({}, ctx()).toolUrl, 'https://two:2/c/v9/tool/toolhunt');
    assert.equal(
      resolveTarget({}, ctx({ TOOL_TOOLFORGE_API_URL: 'https://three:3' })).toolUrl,
      'https://three:3/c/v9/tool/toolhunt',
    );
  });
});

test('an unparsable toolforge config file names the file', () => {
  withHome((home, ctx) => {
    writeFileSync(join(home, '.toolforge.yaml'), 'api_gateway: [unclosed\n');
    assert.throws(() => resolveTarget({}, ctx()), {
      message: `Unable to parse config file ${join(home, '.toolforge.yaml')}`,
    });
  });
});

test('nothing configured: the local instance of `up` (its URL and tool); a dead instance is reported as such', () => {
  withHome((home, ctx) => {
    const dir = join(home, 'components');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'instance.json'),
      JSON.stringify({ url: 'http://127.0.0.1:4321', pid: process.pid, tool: 'toolhunt' }),
    );
    const env = { TOOLFORGE_COMPONENTS_HOME: dir };
    const target = resolveTarget({}, ctx(env));
    assert.equal(target.source, 'local-instance');
    assert.equal(target.toolUrl, 'http://127.0.0.1:4321/v1/tool/toolhunt');
    assert.equal(target.sendToolHeader, true);
    assert.equal(resolveTarget({ tool: 'other' }, ctx(env)).tool, 'other');

    writeFileSync(
      join(dir, 'instance.json'),
      JSON.stringify({ url: 'http://127.0.0.1:4321', pid: 2 ** 22 + 1, tool: 't' }),
    );
    assert.throws(
      () => resolveTarget({}, ctx(env)),
      /is not running: start it with `toolforge-components up`/,
    );
  });
});

test('nothing at all: a clear error saying how to get a target; a URL without a tool asks for one', () => {
  withHome((_home, ctx) => {
    assert.throws(
      () => resolveTarget({}, ctx()),
      (e: unknown) => e instanceof NoTargetError && /toolforge-components up/.test(e.message),
    );
    assert.throws(
      () => resolveTarget({ apiUrl: 'http://127.0.0.1:1' }, ctx()),
      /No tool selected: pass --tool NAME/,
    );
  });
});
