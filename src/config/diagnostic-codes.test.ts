/**
 * Every kind of config problem has its own registered code, and each case here produces exactly that one
 * diagnostic: callers (the API above all) tell problems apart by code, so a code must not drift to another kind.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERRORS, type ConfigErrorCode, type ConfigWarningCode, type ErrorCode } from '../errors.js';
import { loadConfig, loadConfigObject } from './load.js';
import type { Diagnostic } from './diagnostics.js';

const seed = (components: string) => `config-version: 0.1\ncomponents:\n${components}`;
const upstream = (version: string, components: string) =>
  `config_version: ${version}\ncomponents:\n${components}`;
const A = '  a:\n    build: {repository: ./a}\n';
const REMOTE = '{repository: "https://example.org/r", ref: main}';

function many(run: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  for (let i = 0; i < 1001; i++) components[`c${i}`] = { build: { repository: './x' }, run, ...extra };
  return { 'config-version': 0.1, components };
}

/** One config per code, written to show nothing but that problem. */
const CASES: Record<ConfigErrorCode | ConfigWarningCode, () => readonly Diagnostic[]> = {
  CMP_ERR_CONFIG_YAML_SYNTAX: () => loadConfig('components: [unclosed\n').diagnostics,
  CMP_ERR_CONFIG_DUPLICATE_KEY: () => loadConfig(seed(`${A}${A}`)).diagnostics,
  CMP_ERR_CONFIG_TOO_DEEP: () => loadConfig(`${'['.repeat(600)}${']'.repeat(600)}`).diagnostics,
  CMP_ERR_CONFIG_RECURSIVE_ALIAS: () => loadConfig('a: &a [*a]').diagnostics,
  CMP_ERR_CONFIG_EMPTY: () => loadConfig('').diagnostics,
  CMP_ERR_CONFIG_WRONG_TYPE: () => loadConfig(seed(`${A}    run: {port: "80"}\n`)).diagnostics,
  CMP_ERR_CONFIG_INVALID_VALUE: () => loadConfig(seed(`${A}    run: {replicas: 0}\n`)).diagnostics,
  CMP_ERR_CONFIG_FIELD_REQUIRED: () => loadConfig('config-version: 0.1\n').diagnostics,
  CMP_ERR_CONFIG_WRONG_DIALECT: () => loadConfig(seed(`${A}    wait_for: []\n`)).diagnostics,
  CMP_ERR_CONFIG_FIELD_NOT_APPLICABLE: () =>
    loadConfig(seed(`${A}    type: one-off\n    run: {command: x, port: 80}\n`)).diagnostics,
  CMP_ERR_CONFIG_FIELD_CONFLICT: () => loadConfig(seed(`${A}    run: {publish: /}\n`)).diagnostics,
  CMP_ERR_CONFIG_INVALID_NAME: () => loadConfig(seed('  A_B:\n    build: {repository: ./a}\n')).diagnostics,
  CMP_ERR_CONFIG_INVALID_REPOSITORY: () =>
    loadConfig(seed('  a:\n    build: {repository: "ftp://x"}\n')).diagnostics,
  CMP_ERR_CONFIG_INVALID_SCHEDULE: () =>
    loadConfig(seed(`${A}    type: scheduled\n    run: {command: x, schedule: "61 * * * *"}\n`)).diagnostics,
  CMP_ERR_CONFIG_UNKNOWN_REFERENCE: () => loadConfig(seed(`${A}    wait-for: [b]\n`)).diagnostics,
  CMP_ERR_CONFIG_SELF_REFERENCE: () => loadConfig(seed(`${A}    wait-for: [a]\n`)).diagnostics,
  CMP_ERR_CONFIG_CHAINED_REUSE: () =>
    loadConfig(seed(`${A}  b:\n    build: {reuse-from: a}\n  c:\n    build: {reuse-from: b}\n`)).diagnostics,
  CMP_ERR_CONFIG_DEPENDENCY_CYCLE: () =>
    loadConfig(seed(`${A}    wait-for: [b]\n  b:\n    build: {repository: ./b}\n    wait-for: [a]\n`))
      .diagnostics,
  CMP_ERR_CONFIG_TOO_MANY_PROBLEMS: () => loadConfigObject(many({ port: 'x' })).diagnostics,
  CMP_WARN_CONFIG_UNKNOWN_FIELD: () => loadConfig(seed(`${A}    colour: red\n`)).diagnostics,
  CMP_WARN_CONFIG_YAML: () => loadConfig(`%FOO bar\n---\n${seed(A)}`).diagnostics,
  CMP_WARN_CONFIG_TYPE_REPLACED: () =>
    loadConfig(
      upstream(
        'v1beta2',
        `  a:\n    component_type: scheduled\n    build: ${REMOTE}\n    run: {command: x}\n`,
      ),
    ).diagnostics,
  CMP_WARN_CONFIG_DEPRECATED_VERSION: () =>
    loadConfig(
      upstream(
        'v1beta1',
        `  a:\n    component_type: continuous\n    build: ${REMOTE}\n    run: {command: x}\n`,
      ),
    ).diagnostics,
  CMP_WARN_CONFIG_DUPLICATE_ENTRY: () =>
    loadConfig(seed(`${A}  b:\n    build: {repository: ./b}\n    wait-for: [a, a]\n`)).diagnostics,
  CMP_WARN_CONFIG_SCHEDULE_NEVER_RUNS: () =>
    loadConfig(seed(`${A}    type: scheduled\n    run: {command: x, schedule: "0 0 30 2 *"}\n`)).diagnostics,
  CMP_WARN_CONFIG_TOO_MANY_PROBLEMS: () => loadConfigObject(many({}, { colour: 'red' })).diagnostics,
};

const MANY = new Set<ErrorCode>(['CMP_ERR_CONFIG_TOO_MANY_PROBLEMS', 'CMP_WARN_CONFIG_TOO_MANY_PROBLEMS']);

describe('config diagnostic codes', () => {
  for (const [code, diagnose] of Object.entries(CASES) as Array<
    [keyof typeof CASES, () => readonly Diagnostic[]]
  >) {
    it(`${code}: reported for its problem, with the severity its kind has`, () => {
      const diagnostics = diagnose();
      const severity = ERRORS[code].kind === 'config-error' ? 'error' : 'warning';
      if (MANY.has(code)) {
        // The capped list ends with the one diagnostic saying how many more there were.
        assert.equal(diagnostics.length, 1001);
        assert.deepEqual([diagnostics.at(-1)?.code, diagnostics.at(-1)?.severity], [code, severity]);
      } else {
        assert.deepEqual(
          diagnostics.map((d) => [d.code, d.severity]),
          [[code, severity]],
        );
      }
    });
  }

  it('every config code in the registry has a case here', () => {
    const registered = Object.entries(ERRORS)
      .filter(([, entry]) => entry.kind !== 'failure')
      .map(([code]) => code)
      .sort();
    assert.deepEqual(Object.keys(CASES).sort(), registered);
  });
});
