import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatDiagnostic, loadConfig, loadConfigFile, loadConfigObject } from './load.js';
import type { Diagnostic } from './diagnostics.js';

const TOOLHUNT = new URL('../../examples/toolhunt/toolforge.yaml', import.meta.url);

function lines(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => formatDiagnostic(d, 'f.yaml'));
}

describe('loadConfig: the toolhunt example', () => {
  it('loads cleanly, in source order, with the seed defaults', () => {
    const result = loadConfig(readFileSync(TOOLHUNT, 'utf8'));
    assert.deepEqual(result.diagnostics, []);
    const config = result.config;
    assert.ok(config);
    assert.equal(config.dialect, 'seed');
    assert.deepEqual(
      config.components.map((c) => c.name),
      ['toolhunt-cleanup', 'toolhunt-api', 'toolhunt-flower'],
    );
    const [cleanup, api, flower] = config.components;
    assert.deepEqual(cleanup, {
      name: 'toolhunt-cleanup',
      description: 'cleanup job',
      type: 'scheduled',
      build: {
        kind: 'source',
        repository: './toolhunt-cleanup',
        useLatestVersions: false,
        useDeprecatedVersions: false,
      },
      waitFor: ['toolhunt-api'],
      run: { command: 'cleanup', schedule: '*/5 * * * *' },
    });
    assert.deepEqual(api?.run, { port: 8000, publish: '/', healthCheck: { type: 'http', path: '/healthz' } });
    assert.equal(api?.run.command, undefined, 'no command = the web process');
    assert.deepEqual(flower?.build, { kind: 'reuse', reuseFrom: 'toolhunt-api' });
    assert.deepEqual(flower?.waitFor, ['toolhunt-api']);
  });

  it('loadConfigFile resolves local repository paths against the file folder', async () => {
    const result = await loadConfigFile(TOOLHUNT.pathname);
    assert.equal(result.fileName, TOOLHUNT.pathname);
    const build = result.config?.components[0]?.build;
    assert.equal(
      build?.kind === 'source' && build.repository,
      new URL('toolhunt-cleanup', TOOLHUNT).pathname,
    );
    const raw = await loadConfigFile(TOOLHUNT.pathname, { resolvePaths: false });
    const rawBuild = raw.config?.components[0]?.build;
    assert.equal(rawBuild?.kind === 'source' && rawBuild.repository, './toolhunt-cleanup');
  });

  it('loadConfigFile throws a UserError with exit code 2 for a missing file', async () => {
    await assert.rejects(
      loadConfigFile('/nonexistent/toolforge.yaml'),
      (error: Error & { exitCode?: number }) => {
        assert.match(error.message, /^config file \/nonexistent\/toolforge.yaml does not exist$/);
        assert.equal(error.exitCode, 2);
        return true;
      },
    );
  });
});

describe('loadConfig: upstream dialect (v1beta2; v1beta1 is upgraded)', () => {
  const v1 = `config_version: v1beta2
components:
  web:
    component_type: continuous
    build:
      repository: https://gitlab.wikimedia.org/toolforge-repos/app
      ref: main
      use_latest_versions: true
    run:
      command: web
      port: 8080
      port_protocol: tcp
      publish: /
      replicas: 2
      health_check_script: test -e /tmp/ok
      cpu: "500m"
      memory: 256Mi
      emails: onfailure
      mount: none
      filelog: true
      filelog_stdout: logs/out
      filelog_stderr: logs/err
  cron:
    component_type: scheduled
    build:
      reuse_from: web
    run:
      command: ./cron.sh
      schedule: "@daily"
      retry: 5
      timeout: 0
    wait_for: [web]
`;

  it('loads every field into the model', () => {
    const { config, diagnostics } = loadConfig(v1);
    assert.deepEqual(diagnostics, []);
    assert.equal(config?.dialect, 'v1beta2');
    assert.deepEqual(config?.components[0], {
      name: 'web',
      type: 'continuous',
      build: {
        kind: 'source',
        repository: 'https://gitlab.wikimedia.org/toolforge-repos/app',
        ref: 'main',
        useLatestVersions: true,
        useDeprecatedVersions: false,
      },
      waitFor: [],
      run: {
        command: 'web',
        cpu: '500m',
        memory: '256Mi',
        emails: 'onfailure',
        filelog: true,
        filelogStdout: 'logs/out',
        filelogStderr: 'logs/err',
        mount: 'none',
        port: 8080,
        portProtocol: 'tcp',
        publish: '/',
        replicas: 2,
        healthCheck: { type: 'script', script: 'test -e /tmp/ok' },
      },
    });
    assert.deepEqual(config?.components[1]?.run, {
      command: './cron.sh',
      schedule: '@daily',
      retry: 5,
      timeout: 0,
    });
    assert.deepEqual(config?.components[1]?.waitFor, ['web']);
  });

  it('is the dialect when config_version is absent; source_url is kept and normalised', () => {
    const { config, diagnostics } = loadConfigObject({
      source_url: 'https://example.org',
      components: { a: { build: { repository: 'https://example.org', ref: 'main' }, run: { command: 'x' } } },
    });
    assert.deepEqual(diagnostics, []);
    assert.equal(config?.dialect, 'v1beta2');
    assert.equal(config?.sourceUrl, 'https://example.org/');
    const build = config?.components[0]?.build;
    assert.equal(
      build?.kind === 'source' && build.repository,
      'https://example.org/',
      'host-only URL gains a /',
    );
  });

  it('v1beta1 is read as v1beta2: types inferred from the run, one deprecation warning naming what changed', () => {
    const text = [
      'config_version: v1beta1',
      'components:',
      '  web:',
      '    build: {repository: https://x.org/r, ref: main}',
      '    run: {command: web}',
      '  cron:',
      '    component_type: continuous',
      '    build: {reuse_from: web}',
      '    run: {command: c, schedule: "@daily"}',
      '  ok:',
      '    component_type: continuous',
      '    build: {reuse_from: web}',
      '    run: {command: c}',
      '',
    ].join('\n');
    const { config, diagnostics } = loadConfig(text);
    assert.equal(config?.dialect, 'v1beta2');
    assert.deepEqual(
      config?.components.map((c) => [c.name, c.type]),
      [
        ['web', 'continuous'],
        ['cron', 'scheduled'],
        ['ok', 'continuous'],
      ],
    );
    assert.deepEqual(lines(diagnostics), [
      'warning: f.yaml:1:17: config_version v1beta1 is deprecated and will stop being accepted: the config was upgraded to v1beta2 (changed: config_version, components.web.component_type, components.cron.component_type) (write "config_version: v1beta2")',
      'warning: f.yaml:7:21: components.cron.component_type: string "continuous" replaced by "scheduled": its run has a schedule (a component is scheduled exactly when its run has a schedule)',
    ]);
  });

  it('v1beta2 fields: build.envvars (upstream name pattern, string values) and defaults.alerts.notify', () => {
    const value = {
      config_version: 'v1beta2',
      defaults: { alerts: { notify: true } },
      components: {
        web: {
          build: {
            repository: 'https://x.org/r',
            ref: 'main',
            envvars: { NODE_ENV: 'production', API_V2: '1' },
          },
          run: { command: 'web' },
        },
      },
    };
    const { config, diagnostics } = loadConfigObject(value);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(config?.defaults, { alerts: { notify: true } });
    const build = config?.components[0]?.build;
    assert.deepEqual(build?.kind === 'source' && build.envvars, { NODE_ENV: 'production', API_V2: '1' });
    const bad = loadConfigObject({
      ...value,
      defaults: { alerts: { notify: 'yes' } },
      components: {
        web: {
          build: {
            repository: 'https://x.org/r',
            ref: 'main',
            envvars: { node_env: 'x', ABC: 'x', PORT: 80 },
          },
          run: { command: 'web' },
        },
      },
    });
    assert.deepEqual(
      bad.diagnostics.map((d) => `${d.path}: ${d.message}`),
      [
        'defaults.alerts.notify: Input should be a valid boolean',
        "components.web.build.envvars.node_env: String should match pattern '^[A-Z][A-Z_0-9]{2,}[A-Z0-9]$'",
        "components.web.build.envvars.ABC: String should match pattern '^[A-Z][A-Z_0-9]{2,}[A-Z0-9]$'",
        'components.web.build.envvars.PORT: Input should be a valid string',
      ],
    );
  });

  it('the seed dialect takes build.envvars (numbers as text) and defaults.alerts.notify too', () => {
    const text = [
      'config-version: 0.1',
      'defaults:',
      '  alerts:',
      '    notify: true',
      'components:',
      '  web:',
      '    build:',
      '      repository: ./app',
      '      envvars:',
      '        WORKERS: 4',
      '        MODE: fast',
      '',
    ].join('\n');
    const { config, diagnostics } = loadConfig(text);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(config?.defaults, { alerts: { notify: true } });
    const build = config?.components[0]?.build;
    assert.deepEqual(build?.kind === 'source' && build.envvars, { WORKERS: '4', MODE: 'fast' });
  });

  it('requires ref, run and command (upstream), unlike the seed dialect', () => {
    const { config, diagnostics } = loadConfig(
      'components:\n  a:\n    build:\n      repository: https://x.org/r\n  b:\n    build: {reuse_from: a}\n    run: {port: 80}\n',
    );
    assert.equal(config, undefined);
    assert.deepEqual(lines(diagnostics), [
      'f.yaml:2:3: components.a.run: Field required',
      'f.yaml:4:7: components.a.build.ref: Field required (a branch, tag or commit, e.g. "main")',
      'f.yaml:7:10: components.b.run.command: Field required',
    ]);
  });
});

describe('loadConfig: positions and syntax', () => {
  it('reports line:column of the offending value', () => {
    const text = [
      'config-version: 0.1',
      'components:',
      '  toolhunt-api:',
      '    build:',
      '      repository: https://github.com/wikimedia/toolhunt',
      '  toolhunt-cleanup:',
      '    type: scheduled',
      '    build:',
      '      repository: https://github.com/wikimedia/toolhunt-cleanup',
      '    run:',
      '      command: cleanup',
      '      schedule: "@hourly"',
      '    wait-for:',
      '      - toolhunt-apii',
    ].join('\n');
    const { config, diagnostics } = loadConfig(text);
    assert.equal(config, undefined);
    assert.deepEqual(diagnostics, [
      {
        severity: 'error',
        code: 'CMP_ERR_CONFIG_UNKNOWN_REFERENCE',
        path: 'components.toolhunt-cleanup.wait-for[0]',
        message: 'unknown component "toolhunt-apii" (did you mean "toolhunt-api"?)',
        line: 14,
        column: 9,
      },
    ]);
    assert.equal(
      formatDiagnostic(diagnostics[0] as Diagnostic, 'mytool.yaml'),
      'mytool.yaml:14:9: components.toolhunt-cleanup.wait-for[0]: unknown component "toolhunt-apii" (did you mean "toolhunt-api"?)',
    );
  });

  it('reports every YAML syntax error with its position and does not validate a broken document', () => {
    const { config, diagnostics } = loadConfig('config-version: 0.1\ncomponents:\n  a: [1, 2\n  b: "x\n');
    assert.equal(config, undefined);
    assert.ok(diagnostics.length >= 1);
    for (const d of diagnostics) {
      assert.equal(d.severity, 'error');
      assert.equal(typeof d.line, 'number');
      assert.equal(typeof d.column, 'number');
    }
    assert.ok(!diagnostics.some((d) => d.message.includes('Field required')));
  });

  it('reports duplicate keys as errors at the second key, and still validates the rest', () => {
    const text =
      'config-version: 0.1\ncomponents:\n  a:\n    build: {repository: ./a}\n    build: {repository: ./b}\n  a: {}\n  b:\n    build: {}\n';
    const { config, diagnostics } = loadConfig(text);
    assert.equal(config, undefined);
    assert.deepEqual(lines(diagnostics), [
      'f.yaml:5:5: components.a.build: Map keys must be unique: "build" is defined twice (first defined at line 4)',
      'f.yaml:6:3: components.a: Map keys must be unique: "a" is defined twice (first defined at line 3)',
      'f.yaml:8:12: components.b.build.repository: Field required (a build needs repository (or reuse-from))',
    ]);
  });

  it('rejects an empty document, a non-mapping document, a scalar and multiple documents', () => {
    assert.deepEqual(lines(loadConfig('').diagnostics), [
      'f.yaml:1:1: the config is empty (expected a mapping with "components")',
    ]);
    assert.deepEqual(lines(loadConfig('# only a comment\n').diagnostics), [
      'f.yaml:1:1: the config is empty (expected a mapping with "components")',
    ]);
    assert.deepEqual(lines(loadConfig('- a\n- b\n').diagnostics), [
      'f.yaml:1:1: Input should be a valid dictionary (found a list)',
    ]);
    assert.deepEqual(lines(loadConfig('hello').diagnostics), [
      'f.yaml:1:1: Input should be a valid dictionary (found string "hello")',
    ]);
    const multi = loadConfig('components: {}\n---\ncomponents: {}\n');
    assert.equal(multi.config, undefined);
    assert.match(multi.diagnostics[0]?.message ?? '', /multiple documents/);
  });

  it('reads JSON text with positions', () => {
    const json =
      '{\n  "components": {\n    "a": {"build": {"repository": "ftp://x", "ref": "main"}, "run": {"command": "x"}}\n  }\n}';
    assert.deepEqual(lines(loadConfig(json).diagnostics), [
      "f.yaml:3:35: components.a.build.repository: URL scheme should be 'http', 'https' or 'git'",
    ]);
  });

  it('follows aliases and merge keys, locating problems in the anchored text', () => {
    const text = [
      'config-version: 0.1',
      'x-defaults: &run',
      '  command: web',
      '  port: 70000',
      'components:',
      '  a:',
      '    build: {repository: ./a}',
      '    run:',
      '      <<: *run',
      '      port: 8080',
      '  b:',
      '    build: {repository: ./b}',
      '    run: *run',
    ].join('\n');
    const { diagnostics } = loadConfig(text);
    assert.deepEqual(lines(diagnostics), [
      'warning: f.yaml:2:1: Unknown field x-defaults, skipped (did you mean "defaults"?)',
      'f.yaml:4:9: components.b.run.port: Input should be less than or equal to 65535',
    ]);
    const ok = loadConfig(text.replace('70000', '80'));
    assert.deepEqual(ok.config?.components[0]?.run, { command: 'web', port: 8080 });
    assert.deepEqual(ok.config?.components[1]?.run, { command: 'web', port: 80 });
  });
});

describe('loadConfigObject', () => {
  it('reports paths without positions', () => {
    const { config, diagnostics } = loadConfigObject({
      'config-version': '0.1',
      components: { a: { build: { repository: './a' }, run: { replicas: 0 } } },
    });
    assert.equal(config, undefined);
    assert.deepEqual(diagnostics, [
      {
        severity: 'error',
        code: 'CMP_ERR_CONFIG_INVALID_VALUE',
        path: 'components.a.run.replicas',
        message: 'Input should be greater than or equal to 1',
      },
    ]);
    assert.equal(
      formatDiagnostic(diagnostics[0] as Diagnostic),
      'components.a.run.replicas: Input should be greater than or equal to 1',
    );
  });

  it('rejects a missing body and non-objects', () => {
    assert.equal(loadConfigObject(undefined).diagnostics[0]?.message, 'the config is empty');
    assert.equal(loadConfigObject([1]).diagnostics[0]?.message, 'Input should be a valid dictionary');
    assert.deepEqual(loadConfigObject({}).diagnostics, [
      {
        severity: 'error',
        code: 'CMP_ERR_CONFIG_FIELD_REQUIRED',
        path: 'components',
        message: 'Field required',
      },
    ]);
  });

  it('skips keys set to undefined (JSON semantics)', () => {
    const { config } = loadConfigObject({
      'config-version': 0.1,
      components: { a: { build: { repository: './a', ref: undefined }, run: undefined } },
    });
    assert.deepEqual(config?.components[0]?.build, {
      kind: 'source',
      repository: './a',
      useLatestVersions: false,
      useDeprecatedVersions: false,
    });
  });
});

describe('loadConfig: limits', () => {
  it('caps the number of diagnostics and says how many were left out', () => {
    const components: Record<string, unknown> = {};
    for (let i = 0; i < 1500; i++) components[`c${i}`] = { build: { repository: './x' }, run: { port: 'x' } };
    const { diagnostics } = loadConfigObject({ 'config-version': 0.1, components });
    assert.equal(diagnostics.length, 1001);
    assert.equal(
      diagnostics.at(-1)?.message,
      '500 more problems not shown (only the first 1000 are reported)',
    );
  });

  it('writes a temp file and validates it end to end', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'config-load-'));
    try {
      const file = join(dir, 'tool.yaml');
      await writeFile(file, 'config-version: 0.1\ncomponents:\n  a:\n    build: {repository: ../src}\n');
      const result = await loadConfigFile(file);
      const build = result.config?.components[0]?.build;
      assert.equal(build?.kind === 'source' && build.repository, join(dir, '..', 'src'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('loadConfig: pathological nesting', () => {
  it('reports a document nested too deeply instead of crashing', () => {
    const depth = 200_000;
    const cases: Array<[string, number]> = [
      ['['.repeat(depth) + ']'.repeat(depth), 501],
      ['{"a":'.repeat(depth) + '1' + '}'.repeat(depth), 2501],
    ];
    for (const [text, column] of cases) {
      assert.deepEqual(loadConfig(text).diagnostics, [
        {
          severity: 'error',
          code: 'CMP_ERR_CONFIG_TOO_DEEP',
          path: '',
          message: 'the config is nested too deeply to be read (more than 500 levels)',
          line: 1,
          column,
        },
      ]);
    }
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = [value];
    assert.deepEqual(loadConfigObject({ components: value }).diagnostics, [
      {
        severity: 'error',
        code: 'CMP_ERR_CONFIG_TOO_DEEP',
        path: 'components[0][0][0][0][0]…',
        message: 'the config is nested more than 64 levels deep and cannot be read',
      },
    ]);
  });

  it('a document deeper than 64 levels that the yaml library can read is refused with one error', () => {
    const text = `{"components": ${'['.repeat(100)}${']'.repeat(100)}}`;
    assert.deepEqual(loadConfig(text).diagnostics, [
      {
        severity: 'error',
        code: 'CMP_ERR_CONFIG_TOO_DEEP',
        path: 'components[0][0][0][0][0]…',
        message: 'the config is nested more than 64 levels deep and cannot be read',
        line: 1,
        column: 80,
      },
    ]);
  });

  it('deep block nesting (beyond what the yaml library can compose) is one readable error', () => {
    const diagnostics = loadConfig(`${'- '.repeat(50_000)}x\n`).diagnostics;
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.path, d.message]),
      [['error', '', 'the config is nested too deeply to be read']],
    );
  });

  it('a recursive YAML alias is one error at the alias, not a crash or a cascade of errors', () => {
    assert.deepEqual(loadConfig('a: &a [*a]').diagnostics, [
      {
        severity: 'error',
        code: 'CMP_ERR_CONFIG_RECURSIVE_ALIAS',
        path: 'a[0]',
        message:
          'a YAML alias refers to a node that contains it (a recursive alias), so the config cannot be read',
        line: 1,
        column: 8,
      },
    ]);
    const nested = loadConfig('components: &c\n  a:\n    build: {reuse-from: *c}\n');
    assert.deepEqual(
      nested.diagnostics.map((d) => d.path),
      ['components.a.build.reuse-from'],
    );
  });

  it('an alias used many times (not recursive) is still read', () => {
    const text = [
      'config-version: 0.1',
      'x-build: &b {repository: ./r}',
      'components:',
      '  a: {build: *b}',
      '  b: {build: *b}',
      '',
    ].join('\n');
    const result = loadConfig(text);
    assert.equal(result.config?.components.length, 2);
  });
});
