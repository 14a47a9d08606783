import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_INPUT_LIMITS, loadConfigText, parseYamlText } from './config-input.js';
import { ApiError } from './api-errors.js';

const TOOLHUNT = readFileSync(new URL('../../examples/toolhunt/toolforge.yaml', import.meta.url), 'utf8');

/** Texts js-yaml reads (the common path) and texts left to the yaml library (aliases, integer keys). */
const TEXTS = [
  TOOLHUNT,
  '---\nconfig-version: 0.1\ncomponents:\n  a:\n    build:\n      repository: ./a\n',
  'a:\nb: \nc: # x\n  \nd:\n- x\n-   y  # c\ne: [ p , q ]\nf: "s"\ng: \'t\'\n',
  'i: 5\nk: +3\nf: 0.1\ng: 1e3\nh: .5\nt: true\nT: True\nu: FALSE\nn: null\nN: ~\nz: 00 * * * *\n',
  'list:\n  - a\n  - b\nnext: 1\nurl: https://example.org/x?y=1#frag\n1: numeric key\n0.5: float key\n',
  '__proto__:\n  polluted: yes\nother: 1\n',
  'a: &x 1\nb: *x\n',
  'a: |\n  text\n',
  'a: {b: 1}\n',
];

describe('parseYamlText', () => {
  for (const [i, text] of TEXTS.entries()) {
    it(`reads text ${i} as yaml.parse does`, () => {
      assert.deepEqual(parseYamlText(text), parseYaml(text));
    });
  }

  it('keeps __proto__ an own key, never the prototype', () => {
    const value = parseYamlText('__proto__:\n  polluted: yes\n') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('answers undefined for text the yaml library rejects', () => {
    assert.equal(parseYamlText('a: [unclosed\n'), undefined);
  });

  it('refuses an alias bomb with a 422 instead of expanding it (or storing nothing)', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const text = `${lines.join('\n')}\ncomponents:\n  web:\n    build: {repository: ./w}\n`;
    assert.throws(
      () => loadConfigText(text, 'application/yaml', DEFAULT_INPUT_LIMITS),
      (error: unknown) =>
        error instanceof ApiError &&
        error.status === 422 &&
        error.messages[0] ===
          'Validation error at : The config expands YAML aliases into more than 100 nodes; write the repeated parts out',
    );
  });
});

describe('loadConfigText', () => {
  it('stores the document minus unknown fields, leaving a clean document as parsed', () => {
    const loaded = loadConfigText(TOOLHUNT, 'application/yaml', DEFAULT_INPUT_LIMITS);
    assert.deepEqual(loaded.raw, parseYaml(TOOLHUNT));
    const extra = loadConfigText(`${TOOLHUNT}extra-field: 1\n`, 'application/yaml', DEFAULT_INPUT_LIMITS);
    assert.deepEqual(extra.raw, parseYaml(TOOLHUNT));
    assert.ok(extra.warnings.some((w) => w.includes('extra-field')));
  });
});

describe('loadConfigText: diagnostics answered by their code', () => {
  const SCHEDULED = [
    'config-version: 0.1',
    'components:',
    '  cleanup:',
    '    type: scheduled',
    '    build: {repository: ./c}',
    '    run: {command: x, schedule: "@daily", port: 8080}',
    '',
  ].join('\n');

  it('leaves a field skipped for not applying to its component out of the stored document, with a warning', () => {
    const loaded = loadConfigText(SCHEDULED, 'application/yaml', DEFAULT_INPUT_LIMITS);
    const stored = loaded.raw as { components: { cleanup: { run: Record<string, unknown> } } };
    assert.deepEqual(Object.keys(stored.components.cleanup.run), ['command', 'schedule']);
    assert.deepEqual(loaded.warnings, ['Unknown field components.cleanup.run.port, skipped']);
  });

  it('keeps a field a warning is about but that is not skipped (a replaced component_type is stored upgraded)', () => {
    const text = [
      'config_version: v1beta2',
      'components:',
      '  web:',
      '    component_type: scheduled',
      '    build: {repository: "https://example.org/r", ref: main}',
      '    run: {command: x}',
      '',
    ].join('\n');
    const loaded = loadConfigText(text, 'application/yaml', DEFAULT_INPUT_LIMITS);
    const stored = loaded.raw as { components: { web: Record<string, unknown> } };
    assert.equal(stored.components.web.component_type, 'continuous');
    assert.equal(loaded.warnings.length, 1);
  });

  it('shows a missing field the object it is missing from, and any other problem the value it is about', () => {
    const text = JSON.stringify({
      config_version: 'v1beta2',
      components: { web: { build: { ref: 'main' }, run: { command: 'x', port: 0 } } },
    });
    assert.throws(
      () => loadConfigText(text, 'application/json', DEFAULT_INPUT_LIMITS),
      (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.deepEqual(error.messages, [
          "Validation error at components -> web -> build -> repository: Field required. Received value: '{'ref': 'main'}' (line 1, column 58)",
          "Validation error at components -> web -> run -> port: Input should be greater than or equal to 1. Received value: '0' (line 1, column 101)",
        ]);
        return true;
      },
    );
  });
});
