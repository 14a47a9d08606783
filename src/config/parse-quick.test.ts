import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { DiagnosticSink } from './diagnostic-sink.js';
import { LineIndex } from './line-index.js';
import { loadConfig } from './load.js';
import { readQuick } from './parse-quick.js';

const parseQuick = (text: string) => readQuick(text)?.value;
import { readYaml } from './read-yaml.js';
import { validateConfig } from './validate-config.js';

const TOOLHUNT = readFileSync(new URL('../../examples/toolhunt/toolforge.yaml', import.meta.url), 'utf8');

/** Texts js-yaml must read to exactly the value the `yaml` library reads (its core schema, its numbers). */
const SAME = [
  TOOLHUNT,
  JSON.stringify(parse(TOOLHUNT)),
  JSON.stringify(parse(TOOLHUNT), null, 2),
  '---\nconfig-version: 0.1\ncomponents:\n  a:\n    build:\n      repository: ./a\n',
  'a:\nb: \nc: # x\n  \nd:\n- x\n-   y  # c\ne: [ p , q ]\nf: "s"\ng: \'t\'\n',
  "k: 'it''s'\nl: \"a # b\" # c\nm: a#b\nn: x # y\no: []\np: {}\nq: [a]\nr: 'x'   \n",
  'i: 5\nk: +3\nf: 0.1\ng: 1e3\nh: .5\nt: true\nT: True\nu: FALSE\nn: null\nN: ~\nz: 00 * * * *\n',
  'b: 0b101\nc: 1_000\nd: 0o17\ne: .inf\nf: -.Inf\ng: .NaN\nh: 0x1F\ni: 1.0\nj: 2001-12-14\nk: +.5\nl: 007\n',
  'm: -5\nn: 12345678901234567890\no: 1e400\np: yes\nq: no\nr: on\ns: 1:30\nt: 0x\nu: .\nv: -.5e-3\n',
  'config_version: v1beta1\ncomponents:\n  web:\n    run:\n      command: bash -c "echo {a}, [b]"\n      port: 8080\n',
  'a: |\n  text\n  more\nb: >\n  folded\n  text\nc: "esc\\n\\t\\u00e9"\nd: multi\n  line\n',
  'a: &x s\nb: *x\nc: !!str 1\nd: {e: [f, {g: h}]}\n"quoted key": 1\n? k\n: v\n',
  '{"n": [0, -1, 2.5, 1e3, -2.5E-2], "s": ["", "a\\"b", "\\\\", "\\u00e9\\n\\t", "\\ud83d\\ude00", "é ✓"]}',
  '{\r\n  "crlf": 1\r\n}',
  'just a scalar\n',
  '~\n',
];

/** Texts the loader must read with the `yaml` library: js-yaml rejects them or would read them otherwise. */
const POSITIONED_ONLY = [
  '',
  'a: 1\na: 2\n',
  '{"a": 1, "a": 2}',
  'a: &a [*a]\n',
  'a: &x [1]\nb: *x\n',
  'base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n',
  '"<<": 1\n',
  '%YAML 1.1\n---\na: yes\n',
  'components:\n  b: {}\n  1: {}\n',
  'a: !custom x\n',
  'a: [b\n',
  'a: 1\n---\nb: 2\n',
  `${'['.repeat(600)}${']'.repeat(600)}`,
  `a: ${'['.repeat(100)}${']'.repeat(100)}`,
];

describe('readQuick', () => {
  it('reads what the yaml library reads, value for value', () => {
    for (const text of SAME) assert.deepEqual(parseQuick(text), parse(text), text);
  });

  it('leaves to the positioned reader what js-yaml rejects or reads otherwise', () => {
    for (const text of POSITIONED_ONLY) assert.equal(parseQuick(text), undefined, text);
  });

  it('keeps a `__proto__` key as an own field, not a prototype', () => {
    const value = parseQuick('__proto__: {polluted: 1}\n') as Record<string, unknown>;
    assert.ok(Object.hasOwn(value, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('is linear on an alias bomb: it stops at the first shared node', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 30; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    const start = performance.now();
    assert.equal(parseQuick(text), undefined);
    assert.ok(performance.now() - start < 1000);
  });
});

/** What loadConfig answered before js-yaml: the `yaml` library's tree, validated. */
function positioned(text: string) {
  const sink = new DiagnosticSink(new LineIndex(text));
  const root = readYaml(text, sink);
  const config = root === undefined ? undefined : validateConfig(root, sink);
  const diagnostics = sink.finish();
  return sink.hasErrors || !config ? { diagnostics } : { config, diagnostics };
}

describe('loadConfig on the js-yaml path', () => {
  const generated = (n: number) => {
    const components: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      components[`c${i}`] = {
        type: i % 3 ? 'continuous' : 'scheduled',
        build: { repository: `https://x.org/r${i}` },
        run: i % 3 ? { command: `run ${i}`, port: 8000 } : { command: `run ${i}`, schedule: '@daily' },
        ...(i > 0 ? { 'wait-for': [`c${i - 1}`] } : {}),
      };
    }
    return { 'config-version': 0.1, components };
  };

  it('gives the config the yaml library gives, and no diagnostics', () => {
    for (const text of [TOOLHUNT, stringify(generated(200)), JSON.stringify(generated(200))]) {
      const result = loadConfig(text);
      assert.deepEqual(result.diagnostics, []);
      assert.ok(result.config);
      assert.deepEqual(result, positioned(text));
    }
  });

  it('places every diagnostic as the yaml library does, whichever problem js-yaml met first', () => {
    const texts = [
      ...POSITIONED_ONLY,
      `${TOOLHUNT}\nextra: 1\n`,
      TOOLHUNT.replace('wait-for:', 'wait-for: [nope]\n    waitfor:'),
      stringify({ ...generated(3), components: { ...generated(3).components, c1: { run: { port: 'x' } } } }),
      'config-version: 0.1\ncomponents:\n  a:\n    build: {repository: ./a}\n    run: {command: x, port: 1}\n  a: {}\n',
    ];
    for (const text of texts) assert.deepEqual(loadConfig(text), positioned(text), text);
  });
});
