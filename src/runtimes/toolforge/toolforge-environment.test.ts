import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadToolforgeEnvironment, toolforgeRuntimeFromEnvironment } from './toolforge-environment.js';
import {
  DEFAULT_API_GATEWAY_URL,
  ToolforgeConfigError,
  configFilePaths,
} from '../../toolforge/weld-config.js';

describe('toolforge environment (config files + kubeconfig)', () => {
  let dir = '';
  let home = '';
  let etc = '';
  let xdg = '';

  function kubeconfig(user: Record<string, unknown>, namespace = 'tool-mytool'): string {
    const path = join(home, '.kube', 'config');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'current-context: toolforge',
        'contexts:',
        '  - name: other',
        '    context: { cluster: c, user: nobody, namespace: tool-wrong }',
        '  - name: toolforge',
        `    context: { cluster: c, user: me, namespace: ${namespace} }`,
        'users:',
        '  - name: me',
        `    user: ${JSON.stringify(user)}`,
      ].join('\n'),
    );
    return path;
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfc-env-'));
    home = join(dir, 'home');
    etc = join(dir, 'etc');
    xdg = join(dir, 'xdg');
    for (const d of [home, etc, xdg, join(home, '.config')]) mkdirSync(d, { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the config files in toolforge-weld order', () => {
    assert.deepEqual(configFilePaths({ home, etcDir: etc, env: { XDG_CONFIG_HOME: xdg } }), [
      join(etc, 'components.yaml'),
      join(etc, 'common.yaml'),
      join(home, '.toolforge.yaml'),
      join(home, '.config', 'toolforge.yaml'),
      join(xdg, 'toolforge.yaml'),
    ]);
  });

  it('reads the client certificate, the tool, and the default gateway URL', () => {
    kubeconfig({ 'client-certificate': '.toolskube/client.crt', 'client-key': '/abs/client.key' });
    const found = loadToolforgeEnvironment({ home, etcDir: etc, env: {} });
    assert.equal(found.apiUrl, DEFAULT_API_GATEWAY_URL);
    assert.equal(found.tool, 'mytool');
    assert.deepEqual(found.auth, {
      certFile: join(home, '.kube', '.toolskube', 'client.crt'),
      keyFile: '/abs/client.key',
    });
  });

  it('lets later config files win, then TOOL_TOOLFORGE_API_URL', () => {
    kubeconfig({ token: 'secret-token' });
    writeFileSync(join(etc, 'common.yaml'), 'api_gateway:\n  url: https://etc.example:30003\n');
    writeFileSync(join(home, '.toolforge.yaml'), 'api_gateway:\n  url: https://home.example:30003\n');
    writeFileSync(join(xdg, 'toolforge.yaml'), 'components:\n  components_endpoint: /c/v1\n');
    const found = loadToolforgeEnvironment({ home, etcDir: etc, env: { XDG_CONFIG_HOME: xdg } });
    // The XDG file has no api_gateway: the merge is top-level, so the home file's URL stays.
    assert.equal(found.apiUrl, 'https://home.example:30003');
    assert.deepEqual(found.config.components, { components_endpoint: '/c/v1' });
    assert.deepEqual(found.auth, { bearerToken: 'secret-token' });
    const overridden = loadToolforgeEnvironment({
      home,
      etcDir: etc,
      env: { TOOL_TOOLFORGE_API_URL: 'http://127.0.0.1:9' },
    });
    assert.equal(overridden.apiUrl, 'http://127.0.0.1:9');
    rmSync(join(etc, 'common.yaml'));
    rmSync(join(home, '.toolforge.yaml'));
    rmSync(join(xdg, 'toolforge.yaml'));
  });

  it('decodes inline certificate data', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n';
    kubeconfig({
      'client-certificate-data': Buffer.from(cert).toString('base64'),
      'client-key-data': Buffer.from('k').toString('base64'),
    });
    const found = loadToolforgeEnvironment({ home, etcDir: etc, env: {} });
    assert.deepEqual(found.auth, { cert, key: 'k' });
  });

  it('says which config file cannot be parsed', () => {
    writeFileSync(join(home, '.toolforge.yaml'), 'api_gateway: [unclosed\n');
    assert.throws(
      () => loadToolforgeEnvironment({ home, etcDir: etc, env: {} }),
      (error: unknown) =>
        error instanceof ToolforgeConfigError &&
        error.message === `Unable to parse config file ${join(home, '.toolforge.yaml')}`,
    );
    rmSync(join(home, '.toolforge.yaml'));
  });

  it('needs a kubeconfig for the real gateway but not for a plain-http simulator', () => {
    const missing = join(dir, 'missing-kubeconfig');
    assert.throws(
      () => loadToolforgeEnvironment({ home, etcDir: etc, env: { KUBECONFIG: missing } }),
      new RegExp(`KubernetesConfigFileNotFoundException: ${missing}`),
    );
    const local = loadToolforgeEnvironment({
      home,
      etcDir: etc,
      env: { KUBECONFIG: missing, TOOL_TOOLFORGE_API_URL: 'http://127.0.0.1:1' },
    });
    assert.deepEqual(local.auth, {});
  });

  it('builds a runtime from the environment', async () => {
    kubeconfig({ token: 't' });
    const runtime = toolforgeRuntimeFromEnvironment({
      home,
      etcDir: etc,
      env: { TOOL_TOOLFORGE_API_URL: 'http://127.0.0.1:1' },
    });
    assert.equal(runtime.name, 'toolforge');
    await runtime.close();
  });
});
