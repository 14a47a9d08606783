import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import {
  configJsonSchema,
  loadConfig,
  loadConfigObject,
  resolveRepositoryPaths,
  toSeed,
  toV1beta2,
} from './load.js';
import type { ToolConfig } from '../model/tool-config.js';

const TOOLHUNT_TEXT = readFileSync(
  new URL('../../examples/toolhunt/toolforge.yaml', import.meta.url),
  'utf8',
);

function toolhunt(): ToolConfig {
  const { config } = loadConfig(TOOLHUNT_TEXT);
  assert.ok(config);
  return config;
}

const FULL_V2 = {
  config_version: 'v1beta2',
  source_url: 'https://example.org/config.yaml',
  defaults: { alerts: { notify: true } },
  components: {
    web: {
      description: 'the web service',
      component_type: 'continuous',
      build: {
        repository: 'https://x.org/r',
        ref: 'main',
        use_deprecated_versions: true,
        envvars: { NODE_ENV: 'production' },
      },
      run: {
        command: 'web',
        port: 8080,
        port_protocol: 'tcp',
        publish: '/',
        replicas: 2,
        health_check_http: '/healthz',
        cpu: '1',
        memory: '1G',
        emails: 'none',
        filelog: true,
        filelog_stdout: 'a',
        filelog_stderr: 'b',
        mount: 'all',
      },
    },
    cron: {
      component_type: 'scheduled',
      build: { reuse_from: 'web' },
      run: { command: 'c', schedule: '@daily', retry: 2, timeout: 30 },
      wait_for: ['web'],
    },
  },
};

describe('toV1beta2 / toSeed', () => {
  it('toSeed writes the seed dialect with only the set fields, and loads back to the same config', () => {
    const config = toolhunt();
    const seed = toSeed(config);
    assert.deepEqual(seed, {
      'config-version': 0.1,
      components: {
        'toolhunt-cleanup': {
          description: 'cleanup job',
          type: 'scheduled',
          build: { repository: './toolhunt-cleanup' },
          run: { command: 'cleanup', schedule: '*/5 * * * *' },
          'wait-for': ['toolhunt-api'],
        },
        'toolhunt-api': {
          description: 'a python-flask api',
          type: 'continuous',
          build: { repository: './toolhunt' },
          run: { port: 8000, publish: '/', 'health-check-http': '/healthz' },
        },
        'toolhunt-flower': {
          description: 'dashboard for monitoring and managing celery',
          type: 'continuous',
          build: { 'reuse-from': 'toolhunt-api' },
          run: { command: 'flower', port: 5555 },
          'wait-for': ['toolhunt-api'],
        },
      },
    });
    assert.deepEqual(loadConfigObject(seed).config, config);
  });

  it('toV1beta2 of a v1beta2 config gives the input back (every field), and it loads back', () => {
    const { config, diagnostics } = loadConfigObject(FULL_V2);
    assert.deepEqual(diagnostics, []);
    assert.ok(config);
    assert.deepEqual(toV1beta2(config), FULL_V2);
    assert.deepEqual(loadConfigObject(toSeed(config)).config, { ...config, dialect: 'seed' });
  });

  it('toV1beta2 fills what upstream requires: ref HEAD and command web', () => {
    const v1 = toV1beta2(toolhunt()) as { components: Record<string, { build: unknown; run: unknown }> };
    assert.deepEqual(v1.components['toolhunt-api']?.build, { repository: './toolhunt', ref: 'HEAD' });
    assert.deepEqual(v1.components['toolhunt-api']?.run, {
      command: 'web',
      port: 8000,
      publish: '/',
      health_check_http: '/healthz',
    });
  });
});

describe('resolveRepositoryPaths', () => {
  it('makes local paths absolute against the base folder and leaves URLs alone', () => {
    const { config } = loadConfigObject({
      'config-version': 0.1,
      components: {
        rel: { build: { repository: './src/app' } },
        abs: { build: { repository: '/srv/app' } },
        url: { build: { repository: 'https://x.org/r' } },
        file: { build: { repository: 'file:///srv/repo' } },
        reuse: { build: { 'reuse-from': 'rel' } },
      },
    });
    assert.ok(config);
    const resolved = resolveRepositoryPaths(config, '/home/tool/conf');
    const repos = resolved.components.map((c) =>
      c.build.kind === 'source' ? c.build.repository : c.build.reuseFrom,
    );
    assert.deepEqual(repos, [
      '/home/tool/conf/src/app',
      '/srv/app',
      'https://x.org/r',
      'file:///srv/repo',
      'rel',
    ]);
    assert.equal(
      config.components[0]?.build.kind === 'source' && config.components[0].build.repository,
      './src/app',
    );
    assert.equal(resolveRepositoryPaths(resolved, '/elsewhere'), resolved, 'nothing to change: same object');
  });
});

describe('configJsonSchema', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const seedSchema = ajv.compile(configJsonSchema('seed'));
  const v1Schema = ajv.compile(configJsonSchema('v1beta2'));
  const legacySchema = ajv.compile(configJsonSchema('v1beta1'));

  it('is draft-07 and accepts the toolhunt example, a full v1beta2 config and a v1beta1 one', () => {
    assert.equal(
      (configJsonSchema('seed') as { $schema: string }).$schema,
      'http://json-schema.org/draft-07/schema#',
    );
    assert.ok(seedSchema(parse(TOOLHUNT_TEXT)), JSON.stringify(seedSchema.errors));
    assert.ok(v1Schema(FULL_V2), JSON.stringify(v1Schema.errors));
    assert.ok(v1Schema({ ...FULL_V2, config_version: 'v1beta1' }), JSON.stringify(v1Schema.errors));
    const { defaults: _defaults, ...v1beta1 } = structuredClone(FULL_V2);
    delete (v1beta1.components.web.build as { envvars?: unknown }).envvars;
    assert.ok(legacySchema({ ...v1beta1, config_version: 'v1beta1' }), JSON.stringify(legacySchema.errors));
    assert.equal(legacySchema(FULL_V2), false);
  });

  it('a run with a schedule is a scheduled run unless the seed type says otherwise', () => {
    const seedConfig = (component: Record<string, unknown>) => ({
      'config-version': 0.1,
      components: { a: { build: { repository: './a' }, ...component } },
    });
    const cron = { command: 'c', schedule: '@daily' };
    assert.ok(seedSchema(seedConfig({ run: cron })), JSON.stringify(seedSchema.errors));
    assert.equal(seedSchema(seedConfig({ run: { ...cron, port: 80 } })), false);
    assert.equal(seedSchema(seedConfig({ type: 'continuous', run: cron })), false);
    const upstream = (run: Record<string, unknown>) => ({
      components: { a: { build: { repository: 'https://x.org/r', ref: 'main' }, run } },
    });
    assert.ok(v1Schema(upstream({ ...cron, retry: 2 })), JSON.stringify(v1Schema.errors));
    assert.equal(v1Schema(upstream({ command: 'c', retry: 2 })), false);
    assert.equal(
      v1Schema({
        components: {
          a: {
            build: { repository: 'https://x.org/r', ref: 'm', envvars: { lower: 'x' } },
            run: { command: 'x' },
          },
        },
      }),
      false,
    );
  });

  it('rejects what the loader rejects: bad types, ranges, enums, wrong dialect keys, missing fields', () => {
    const base = parse(TOOLHUNT_TEXT) as { components: Record<string, Record<string, unknown>> };
    const broken = (mutate: (c: Record<string, Record<string, unknown>>) => void) => {
      const copy = structuredClone(base);
      mutate(copy.components);
      return seedSchema(copy);
    };
    assert.equal(
      broken((c) => ((c['toolhunt-api'] as { run: Record<string, unknown> }).run.port = 0)),
      false,
    );
    assert.equal(
      broken((c) => ((c['toolhunt-api'] as { run: Record<string, unknown> }).run.publish = '/x')),
      false,
    );
    assert.equal(
      broken((c) => ((c['toolhunt-cleanup'] as { run: Record<string, unknown> }).run.schedule = 'x')),
      false,
    );
    assert.equal(
      broken((c) => delete (c['toolhunt-cleanup'] as { run: Record<string, unknown> }).run.schedule),
      false,
    );
    assert.equal(
      broken((c) => ((c['toolhunt-api'] as Record<string, unknown>).component_type = 'continuous')),
      false,
    );
    assert.equal(
      broken((c) => ((c['toolhunt-flower'] as Record<string, unknown>).build = {})),
      false,
    );
    assert.equal(
      broken((c) => (c['Bad_Name'] = { build: { repository: './x' } })),
      false,
    );
    assert.equal(
      broken(
        (c) => ((c['toolhunt-api'] as { run: Record<string, unknown> }).run['health-check-script'] = 'x'),
      ),
      false,
    );
    assert.equal(
      v1Schema({ components: { a: { build: { repository: 'https://x.org/r' }, run: { command: 'x' } } } }),
      false,
    );
    assert.equal(
      v1Schema({ components: { a: { build: { repository: './r', ref: 'm' }, run: { command: 'x' } } } }),
      false,
    );
    assert.equal(v1Schema({ components: {} }), false);
  });
});
