import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfigObject } from './load.js';

type Json = Record<string, unknown>;

/** One-component config in either dialect, with the given run/build/extra fields. */
function v1(component: Json, extra: Json = {}): Json {
  return { config_version: 'v1beta2', components: { web: component }, ...extra };
}
function seed(component: Json, extra: Json = {}): Json {
  return { 'config-version': 0.1, components: { web: component }, ...extra };
}
const V1_BUILD = { repository: 'https://example.org/repo', ref: 'main' };
const continuous = (run: Json) =>
  v1({ component_type: 'continuous', build: V1_BUILD, run: { command: 'web', ...run } });
const scheduled = (run: Json) =>
  v1({ component_type: 'scheduled', build: V1_BUILD, run: { command: 'job', schedule: '@daily', ...run } });

/** `severity path: message` of every diagnostic. */
function problems(value: unknown): string[] {
  return loadConfigObject(value).diagnostics.map((d) => `${d.severity} ${d.path}: ${d.message}`);
}
function ok(value: unknown): void {
  const result = loadConfigObject(value);
  assert.deepEqual(result.diagnostics, []);
  assert.ok(result.config);
}

describe('top-level fields', () => {
  it('config_version must be v1beta1, v1beta2 or null; the seed config-version must be 0.1', () => {
    ok(continuous({}));
    ok({ ...continuous({}), config_version: null });
    const { config_version: _version, ...unversioned } = continuous({});
    ok(unversioned);
    assert.deepEqual(problems({ ...continuous({}), config_version: 'v2' }), [
      "error config_version: Input should be 'v1beta1' or 'v1beta2'",
    ]);
    ok(seed({ build: { repository: './a' } }));
    ok({ ...seed({ build: { repository: './a' } }), 'config-version': '0.1' });
    assert.deepEqual(problems({ ...seed({ build: { repository: './a' } }), 'config-version': 0.2 }), [
      'error config-version: Input should be 0.1',
    ]);
  });

  it('components: required, a mapping, at least one entry', () => {
    assert.deepEqual(problems({ config_version: 'v1beta2' }), ['error components: Field required']);
    assert.deepEqual(problems({ components: {} }), [
      'error components: Dictionary should have at least 1 item after validation, not 0',
    ]);
    assert.deepEqual(problems({ components: [] }), ['error components: Input should be a valid dictionary']);
  });

  it('source_url must be an http(s) URL', () => {
    ok(continuous({}));
    assert.deepEqual(problems({ ...continuous({}), source_url: 'ftp://x.org/c.yaml' }), [
      "error source_url: URL scheme should be 'http' or 'https'",
    ]);
    assert.deepEqual(problems({ ...continuous({}), source_url: 'not a url' }), [
      'error source_url: Input should be a valid URL, relative URL without a base',
    ]);
  });

  it('unknown fields are warnings with upstream text, in source order, and the config still loads', () => {
    const value = {
      components: { component1: { build: V1_BUILD, run: { command: 'x' }, internal_extra_field: 1 } },
      extra_field_1: true,
    };
    const result = loadConfigObject(value);
    assert.ok(result.config);
    assert.deepEqual(
      result.diagnostics.map((d) => d.message),
      [
        'Unknown field components.component1.internal_extra_field, skipped',
        'Unknown field extra_field_1, skipped',
      ],
    );
    assert.ok(result.diagnostics.every((d) => d.severity === 'warning'));
  });

  it('a typo in a known field name gets a suggestion', () => {
    const result = loadConfigObject(continuous({ replicaz: 2 }));
    assert.deepEqual(result.diagnostics[0]?.hint, 'did you mean "replicas"?');
  });
});

describe('dialect spelling', () => {
  it('a v1beta1 key in a seed file is an error naming the expected spelling', () => {
    assert.deepEqual(problems(seed({ build: { reuse_from: 'x' }, component_type: 'continuous' })), [
      'error components.web.build.repository: Field required',
      `error components.web.build.reuse_from: "reuse_from" is upstream's spelling, but this config uses the seed dialect (config-version): write "reuse-from"`,
      `error components.web.component_type: "component_type" is upstream's spelling, but this config uses the seed dialect (config-version): write "type"`,
    ]);
  });

  it('a seed key in a v1beta1 file is an error naming the expected spelling', () => {
    const result = loadConfigObject(
      v1({
        type: 'scheduled',
        build: V1_BUILD,
        run: { command: 'x', 'health-check-http': '/h' },
        'wait-for': [],
      }),
    );
    assert.deepEqual(
      result.diagnostics.map((d) => `${d.path}: ${d.message}`),
      [
        `components.web.type: "type" is the seed dialect's spelling, but this config is upstream's (it has no config-version key): write "component_type"`,
        `components.web.run.health-check-http: "health-check-http" is the seed dialect's spelling, but this config is upstream's (it has no config-version key): write "health_check_http"`,
        `components.web.wait-for: "wait-for" is the seed dialect's spelling, but this config is upstream's (it has no config-version key): write "wait_for"`,
      ],
    );
    assert.equal(
      result.diagnostics[0]?.hint,
      'or add "config-version: 0.1" at the top to use the seed dialect',
    );
  });

  it('seed accepts every run field in kebab-case', () => {
    const result = loadConfigObject(
      seed({
        build: {
          repository: './a',
          ref: 'v1',
          'use-latest-versions': true,
          'use-deprecated-versions': false,
        },
        run: {
          command: 'web',
          'health-check-http': '/healthz',
          port: 8000,
          'port-protocol': 'tcp',
          publish: '/',
          replicas: 3,
          cpu: 0.5,
          memory: '1G',
          emails: 'all',
          filelog: false,
          'filelog-stdout': 'o',
          'filelog-stderr': 'e',
          mount: 'all',
        },
      }),
    );
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.config?.components[0]?.run, {
      command: 'web',
      cpu: '0.5',
      memory: '1G',
      emails: 'all',
      filelog: false,
      filelogStdout: 'o',
      filelogStderr: 'e',
      mount: 'all',
      port: 8000,
      portProtocol: 'tcp',
      publish: '/',
      replicas: 3,
      healthCheck: { type: 'http', path: '/healthz' },
    });
    const cron = loadConfigObject(
      seed({
        type: 'scheduled',
        build: { repository: './a' },
        run: { command: 'c', schedule: '@hourly', retry: 1, timeout: 60 },
      }),
    );
    assert.deepEqual(cron.config?.components[0]?.run, {
      command: 'c',
      schedule: '@hourly',
      retry: 1,
      timeout: 60,
    });
  });

  it('seed: run may be left out of a continuous component; ref may be left out', () => {
    const result = loadConfigObject(seed({ build: { repository: 'https://github.com/wikimedia/toolhunt' } }));
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.config?.components[0]?.run, {});
    assert.equal(
      result.config?.components[0]?.build.kind === 'source' && result.config.components[0].build.ref,
      undefined,
    );
    assert.equal(result.config?.components[0]?.type, 'continuous');
  });

  it('seed: a scheduled component needs run with command and schedule', () => {
    assert.deepEqual(problems(seed({ type: 'scheduled', build: { repository: './a' } })), [
      'error components.web.run: Field required',
    ]);
    assert.deepEqual(problems(seed({ type: 'scheduled', build: { repository: './a' }, run: {} })), [
      'error components.web.run.command: Field required',
      'error components.web.run.schedule: Field required',
    ]);
  });
});

describe('component fields', () => {
  it('component_type follows the run (upstream v1beta2): a value that disagrees is overwritten, with a warning', () => {
    const cron = loadConfigObject(v1({ component_type: 'cron', build: V1_BUILD, run: { command: 'x' } }));
    assert.equal(cron.config?.components[0]?.type, 'continuous');
    assert.deepEqual(
      cron.diagnostics.map((d) => `${d.severity} ${d.path}: ${d.message}`),
      [
        'warning components.web.component_type: string "cron" replaced by "continuous": its run has no schedule (a component is scheduled exactly when its run has a schedule)',
      ],
    );
    const run = { command: 'x', schedule: '@daily' };
    const wrong = loadConfigObject(v1({ component_type: 'continuous', build: V1_BUILD, run }));
    assert.equal(wrong.config?.components[0]?.type, 'scheduled');
    assert.deepEqual(wrong.config?.components[0]?.run, run);
    assert.match(wrong.diagnostics[0]?.message ?? '', /^string "continuous" replaced by "scheduled"/);
    // Without a readable run, the written type stands (and must be valid).
    assert.deepEqual(problems(v1({ component_type: 'cron', build: V1_BUILD })), [
      "error components.web.component_type: Input should be 'continuous', 'scheduled' or 'one-off'",
    ]);
  });

  it('a component with a schedule and no type is scheduled, in both dialects (not continuous, schedule dropped)', () => {
    const run = { command: 'x', schedule: '@daily' };
    for (const value of [v1({ build: V1_BUILD, run }), seed({ build: { repository: './a' }, run })]) {
      const result = loadConfigObject(value);
      assert.deepEqual(result.diagnostics, []);
      const component = result.config?.components[0];
      assert.equal(component?.type, 'scheduled');
      assert.deepEqual(component?.run, run);
    }
    // The seed dialect's written type still wins.
    assert.deepEqual(problems(seed({ type: 'continuous', build: { repository: './a' }, run })), [
      'warning components.web.run.schedule: Unknown field components.web.run.schedule, skipped',
    ]);
  });

  it('component names must be valid jobs-api job names', () => {
    const good = 'a'.repeat(52);
    ok({ components: { [good]: { build: V1_BUILD, run: { command: 'x' } } } });
    for (const bad of ['Web', 'web_1', '-web', 'web-', 'a'.repeat(53), 'we b']) {
      const messages = problems({ components: { [bad]: { build: V1_BUILD, run: { command: 'x' } } } });
      assert.equal(messages.length, 1, bad);
      assert.match(messages[0] ?? '', /invalid component name/, bad);
    }
    ok({
      components: {
        'web.v2': { build: V1_BUILD, run: { command: 'x' } },
        '1web': { build: V1_BUILD, run: { command: 'x' } },
      },
    });
  });

  it('a component must be a mapping; description must be a string', () => {
    assert.deepEqual(problems({ components: { web: 'x' } }), [
      'error components.web: Input should be a valid dictionary',
    ]);
    assert.deepEqual(problems(v1({ description: 1, build: V1_BUILD, run: { command: 'x' } })), [
      'error components.web.description: Input should be a valid string',
    ]);
  });

  it('build: required; repository xor reuse_from; non-empty strings; boolean flags', () => {
    assert.deepEqual(problems(v1({ run: { command: 'x' } })), ['error components.web.build: Field required']);
    assert.deepEqual(problems(v1({ build: { repository: '', ref: 'main' }, run: { command: 'x' } })), [
      'error components.web.build.repository: String should have at least 1 character',
    ]);
    assert.deepEqual(problems(v1({ build: { ...V1_BUILD, ref: 3 }, run: { command: 'x' } })), [
      'error components.web.build.ref: Input should be a valid string',
    ]);
    assert.deepEqual(
      problems(v1({ build: { ...V1_BUILD, use_latest_versions: 'yes' }, run: { command: 'x' } })),
      ['error components.web.build.use_latest_versions: Input should be a valid boolean'],
    );
    const both = {
      components: {
        a: { build: V1_BUILD, run: { command: 'x' } },
        b: { build: { reuse_from: 'a', repository: 'https://x.org/r', ref: 'main' }, run: { command: 'x' } },
      },
    };
    assert.deepEqual(problems(both), [
      'error components.b.build.repository: Cannot specify both repository and reuse_from',
      'warning components.b.build.ref: Unknown field components.b.build.ref, skipped',
    ]);
  });

  it('repository: http, https or git URLs in v1beta1; also file URLs and local paths in the seed dialect', () => {
    for (const url of ['https://x.org/r', 'http://x.org/r', 'git://x.org/r.git']) {
      ok(v1({ build: { repository: url, ref: 'main' }, run: { command: 'x' } }));
      ok(seed({ build: { repository: url } }));
    }
    assert.deepEqual(
      problems(v1({ build: { repository: 'file:///srv/r', ref: 'main' }, run: { command: 'x' } })),
      ["error components.web.build.repository: URL scheme should be 'http', 'https' or 'git'"],
    );
    assert.deepEqual(problems(v1({ build: { repository: './r', ref: 'main' }, run: { command: 'x' } })), [
      'error components.web.build.repository: Input should be a valid URL, relative URL without a base',
    ]);
    for (const local of ['file:///srv/r', './r', '../r', '/abs/r', 'r'])
      ok(seed({ build: { repository: local } }));
    assert.deepEqual(problems(seed({ build: { repository: 'ssh://x.org/r' } })), [
      "error components.web.build.repository: URL scheme should be 'http', 'https', 'git' or 'file'",
    ]);
    assert.equal(problems(seed({ build: { repository: 'git@github.com:w/t.git' } })).length, 1);
  });

  it('wait_for is a list of names', () => {
    assert.deepEqual(problems(v1({ build: V1_BUILD, run: { command: 'x' }, wait_for: 'a' })), [
      'error components.web.wait_for: Input should be a valid list',
    ]);
    assert.deepEqual(problems(v1({ build: V1_BUILD, run: { command: 'x' }, wait_for: [1] })), [
      'error components.web.wait_for[0]: Input should be a valid string',
    ]);
  });
});

describe('run fields (upstream rules)', () => {
  it('health checks: not both; http needs tcp; http without a port is accepted (upstream quirk)', () => {
    assert.deepEqual(problems(continuous({ health_check_http: '/h', health_check_script: 'true' })), [
      'error components.web.run.health_check_http: Cannot specify both health_check_script and health_check_http',
    ]);
    assert.deepEqual(problems(continuous({ health_check_http: '/h', port: 80, port_protocol: 'udp' })), [
      'error components.web.run.health_check_http: A tcp port must be set for health_check_http',
    ]);
    ok(continuous({ health_check_http: '/h' }));
    ok(continuous({ health_check_script: 'test -e /tmp/ok' }));
  });

  it('publish: only "/", needs a port, needs tcp', () => {
    ok(continuous({ publish: '/', port: 80 }));
    assert.deepEqual(problems(continuous({ publish: '/x', port: 80 })), [
      "error components.web.run.publish: String should match pattern '^/$'",
    ]);
    assert.deepEqual(problems(continuous({ publish: '/' })), [
      'error components.web.run.publish: publish requires port to be set',
    ]);
    assert.deepEqual(problems(continuous({ publish: '/', port: 80, port_protocol: 'udp' })), [
      'error components.web.run.publish: publish requires port_protocol set to tcp',
    ]);
  });

  it('numeric limits: replicas ≥ 1, port 1–65535, retry 0–5, timeout ≥ 0, integers only', () => {
    ok(continuous({ replicas: 1, port: 65535 }));
    assert.deepEqual(problems(continuous({ replicas: 0 })), [
      'error components.web.run.replicas: Input should be greater than or equal to 1',
    ]);
    assert.deepEqual(problems(continuous({ replicas: 1.5 })), [
      'error components.web.run.replicas: Input should be a valid integer, got a number with a fractional part',
    ]);
    assert.deepEqual(problems(continuous({ port: 0 })), [
      'error components.web.run.port: Input should be greater than or equal to 1',
    ]);
    assert.deepEqual(problems(continuous({ port: 65536 })), [
      'error components.web.run.port: Input should be less than or equal to 65535',
    ]);
    assert.deepEqual(problems(continuous({ port: '8080' })), [
      'error components.web.run.port: Input should be a valid integer',
    ]);
    ok(scheduled({ retry: 0, timeout: 0 }));
    ok(scheduled({ retry: 5 }));
    assert.deepEqual(problems(scheduled({ retry: 6 })), [
      'error components.web.run.retry: Input should be less than or equal to 5',
    ]);
    assert.deepEqual(problems(scheduled({ retry: -1 })), [
      'error components.web.run.retry: Input should be greater than or equal to 0',
    ]);
    assert.deepEqual(problems(scheduled({ timeout: -1 })), [
      'error components.web.run.timeout: Input should be greater than or equal to 0',
    ]);
    assert.deepEqual(problems(scheduled({ timeout: true })), [
      'error components.web.run.timeout: Input should be a valid integer',
    ]);
  });

  it('enums: emails, mount, port_protocol', () => {
    assert.deepEqual(problems(continuous({ emails: 'some', mount: 'nfs', port_protocol: 'sctp' })), [
      "error components.web.run.emails: Input should be 'none', 'all', 'onfinish' or 'onfailure'",
      "error components.web.run.mount: Input should be 'all' or 'none'",
      "error components.web.run.port_protocol: Input should be 'tcp' or 'udp'",
    ]);
  });

  it('types: strings and booleans', () => {
    assert.deepEqual(problems(continuous({ command: ['a'], cpu: 1, filelog: 'yes', memory: 512 })), [
      'error components.web.run.command: Input should be a valid string',
      'error components.web.run.cpu: Input should be a valid string',
      'error components.web.run.filelog: Input should be a valid boolean',
      'error components.web.run.memory: Input should be a valid string',
    ]);
    assert.deepEqual(problems(v1({ build: V1_BUILD, run: 'web' })), [
      'error components.web.run: Input should be a valid dictionary',
    ]);
  });

  it('scheduled: run, command and schedule are required', () => {
    assert.deepEqual(
      problems(seed({ type: 'scheduled', build: { repository: './a' }, run: { command: 'x' } })),
      ['error components.web.run.schedule: Field required'],
    );
    assert.deepEqual(problems(v1({ build: V1_BUILD, run: { schedule: '@daily' } })), [
      'error components.web.run.command: Field required',
    ]);
    assert.deepEqual(problems(v1({ component_type: 'scheduled', build: V1_BUILD })), [
      'error components.web.run: Field required',
    ]);
  });

  it('a run field of the other component type is an unknown field (warning), not silently dropped', () => {
    const result = loadConfigObject(scheduled({ port: 80, replicas: 2 }));
    assert.ok(result.config);
    assert.deepEqual(
      result.diagnostics.map((d) => `${d.severity} ${d.message} (${d.hint})`),
      [
        'warning Unknown field components.web.run.port, skipped (port only applies to continuous components)',
        'warning Unknown field components.web.run.replicas, skipped (replicas only applies to continuous components)',
      ],
    );
    assert.deepEqual(result.config.components[0]?.run, { command: 'job', schedule: '@daily' });
    const untyped = loadConfigObject(v1({ build: V1_BUILD, run: { command: 'x', retry: 2 } }));
    assert.equal(untyped.diagnostics[0]?.message, 'Unknown field components.web.run.retry, skipped');
    assert.equal(
      untyped.diagnostics[0]?.hint,
      'retry is for scheduled components, and this one is continuous because its run has no schedule',
    );
  });

  it('schedules are checked as cron', () => {
    ok(scheduled({ schedule: '*/15 * * * *' }));
    ok(scheduled({ schedule: '0 3 * * MON-FRI' }));
    const bad = problems(scheduled({ schedule: '61 * * * *' }));
    assert.deepEqual(bad, [
      'error components.web.run.schedule: invalid cron schedule "61 * * * *": Invalid value for minute: 61',
    ]);
    assert.match(problems(scheduled({ schedule: '@reboot' }))[0] ?? '', /unsupported macro "@reboot"/);
    assert.match(
      problems(scheduled({ schedule: '0 0 * * * *' }))[0] ?? '',
      /found 6 \(a seconds field is not supported\)/,
    );
    assert.deepEqual(problems(scheduled({ schedule: '0 0 30 2 *' })), [
      'warning components.web.run.schedule: cron schedule "0 0 30 2 *" never runs',
    ]);
  });
});
