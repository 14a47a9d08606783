/**
 * One-off components in the config (issue 13): `type: one-off` (seed) and `component_type: one-off` (v1beta1,
 * v1beta2, our extension), with the run fields of a one-off job; the fields that do not apply are errors at
 * their line:column, and the schedule rule (a run with a schedule is scheduled) does not turn an explicit
 * one-off into anything else.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from './load.js';
import { formatDiagnostic } from './format-diagnostic.js';
import { configJsonSchema } from './json-schema.js';

function load(text: string) {
  const result = loadConfig(text);
  return { ...result, lines: result.diagnostics.map((d) => formatDiagnostic(d, 'tool.yaml')) };
}

const SEED = (run: string): string =>
  [
    'config-version: 0.1',
    'components:',
    '  api:',
    '    build: {repository: ./api}',
    '  migrate:',
    '    type: one-off',
    '    build: {reuse-from: api}',
    '    run:',
    run,
    '',
  ].join('\n');

describe('one-off components in the config', () => {
  it('seed: type one-off with command, retry, timeout, resources, mount, emails and filelog', () => {
    const { config, lines } = load(
      SEED(
        [
          '      command: ./migrate.sh',
          '      retry: 2',
          '      timeout: 600',
          '      cpu: 0.5',
          '      memory: 512Mi',
          '      mount: all',
          '      emails: onfailure',
          '      filelog: true',
        ].join('\n'),
      ),
    );
    assert.deepEqual(lines, []);
    const migrate = config?.components.find((c) => c.name === 'migrate');
    assert.equal(migrate?.type, 'one-off');
    assert.deepEqual(migrate?.run, {
      command: './migrate.sh',
      cpu: '0.5',
      memory: '512Mi',
      emails: 'onfailure',
      filelog: true,
      mount: 'all',
      retry: 2,
      timeout: 600,
    });
  });

  it('rejects the fields that do not apply to a one-off job, each at its line:column', () => {
    const { config, lines } = load(
      SEED(
        [
          '      command: ./migrate.sh',
          '      port: 8000',
          '      schedule: "@daily"',
          '      health-check-http: /healthz',
        ].join('\n'),
      ),
    );
    assert.equal(config, undefined);
    assert.deepEqual(lines, [
      'tool.yaml:10:7: components.migrate.run.port: port does not apply to a one-off component: it runs to completion',
      'tool.yaml:11:7: components.migrate.run.schedule: schedule does not apply to a one-off component: it runs once per change, not on a schedule',
      'tool.yaml:12:7: components.migrate.run.health-check-http: health-check-http does not apply to a one-off component: it runs to completion',
    ]);
  });

  it('needs a command', () => {
    const { lines } = load(SEED('      retry: 1'));
    assert.deepEqual(lines, ['tool.yaml:9:7: components.migrate.run.command: Field required']);
  });

  for (const version of ['v1beta1', 'v1beta2']) {
    it(`${version}: component_type one-off is kept as written (only continuous/scheduled are inferred)`, () => {
      const { config, lines } = load(
        [
          `config_version: ${version}`,
          'components:',
          '  migrate:',
          '    component_type: one-off',
          '    build: {repository: "https://gitlab.wikimedia.org/toolforge-repos/api", ref: main}',
          '    run: {command: migrate, retry: 1, timeout: 60}',
          '  cleanup:',
          '    build: {repository: "https://gitlab.wikimedia.org/toolforge-repos/api", ref: main}',
          '    run: {command: cleanup, schedule: "@daily"}',
          '',
        ].join('\n'),
      );
      assert.deepEqual(
        lines.filter((l) => !l.startsWith('warning:')),
        [],
      );
      // The upgrade names what it changed: never the explicit one-off.
      assert.ok(!lines.some((l) => l.includes('migrate.component_type')), lines.join('\n'));
      assert.deepEqual(
        config?.components.map((c) => [c.name, c.type]),
        [
          ['migrate', 'one-off'],
          ['cleanup', 'scheduled'],
        ],
      );
    });
  }

  it('the JSON Schema of each dialect knows one-off runs', () => {
    for (const dialect of ['seed', 'v1beta2'] as const) {
      const schema = configJsonSchema(dialect) as { definitions: Record<string, { properties: object }> };
      assert.deepEqual(
        Object.keys(schema.definitions.oneOffRun?.properties ?? {}).filter((k) =>
          /retry|timeout|port|schedule/.test(k),
        ),
        ['retry', 'timeout'],
      );
    }
  });
});
