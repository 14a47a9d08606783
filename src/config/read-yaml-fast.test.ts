import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DiagnosticSink } from './diagnostic-sink.js';
import { readYaml } from './read-yaml.js';
import { readYamlFast } from './read-yaml-fast.js';

const TOOLHUNT = readFileSync(new URL('../../examples/toolhunt/toolforge.yaml', import.meta.url), 'utf8');

function slow(text: string) {
  const sink = new DiagnosticSink();
  const tree = readYaml(text, sink);
  assert.equal(sink.hasErrors, false, `the yaml library rejects:\n${text}`);
  return tree;
}

/** Texts the fast reader must read exactly like the yaml library: same values, same offsets. */
const SAME = [
  TOOLHUNT,
  '---\nconfig-version: 0.1\ncomponents:\n  a:\n    build:\n      repository: ./a\n',
  'a:\nb: \nc: # x\n  \nd:\n- x\n-   y  # c\ne: [ p , q ]\nf: "s"\ng: \'t\'\n',
  "k: 'it''s'\nl: \"a # b\" # c\nm: a#b\nn: x # y\no: []\np: {}\nq: [a]\nr: 'x'   \n",
  'i: 5\nk: +3\nf: 0.1\ng: 1e3\nh: .5\nt: true\nT: True\nu: FALSE\nn: null\nN: ~\nz: 00 * * * *\n',
  'config_version: v1beta1\ncomponents:\n  web:\n    run:\n      command: bash -c "echo {a}, [b]"\n      port: 8080\n',
  '# leading comment\n\nouter:\n    deep:\n        deeper:\n          - one\n          - two\n    back: 1\nlast: x:y\n',
  'list:\n  - a\n  - b\nnext: 1\nurl: https://example.org/x?y=1#frag\n1: numeric key\n0.5: float key\n',
  'x: "0.1"\ny: \'@daily\'\nz: "*/5 * * * *"\nsemi: a;b\nq: it\'s\n',
  'a:   # comment\n  # another\n  b: value   # trailing\n  c:\n  # between\n  - "q"\n  - \'s\'\n  - a - b\nd: x#y\n',
  'cmd: echo \'a\' "b" | grep -v x\nempty_list:\nafter: 1\n',
];

/** Texts outside the subset: the fast reader must give up (the yaml library reads or rejects them). */
const GIVE_UP = [
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  'a: |\n  text\n',
  'a: >\n  text\n',
  'a: multi\n  line\n',
  'a: {b: 1}\n',
  'a: "esc\\n"\n',
  'a: 1\na: 2\n',
  '<<: {}\n',
  'a:\n  - b: 1\n',
  'a:\n\tb: 1\n',
  'a: 1\r\nb: 2\r\n',
  '? a\n: b\n',
  'a: [b, [c]]\n',
  'a: 0x1f\n',
  'a: .inf\n',
  'a: -5\n',
  'a: 1\n---\nb: 2\n',
  'a:\n  b: 1\n   c: 2\n',
  'a: b: c\n',
  '"quoted key": 1\n',
  'just a scalar\n',
  '',
  '@bad: 1\n',
  'a: 12345678901234567890\n',
  "a: 'unterminated\n",
  'a: "x" y\n',
  'a: - b\n',
];

describe('readYamlFast', () => {
  it('reads the plain block subset exactly like the yaml library (values and offsets)', () => {
    for (const text of SAME) {
      const fast = readYamlFast(text);
      assert.ok(fast, `fast reader gave up on:\n${text}`);
      assert.deepEqual(fast, slow(text), text);
    }
  });

  it('gives up on everything outside the subset', () => {
    for (const text of GIVE_UP) assert.equal(readYamlFast(text), undefined, text);
  });

  it('reads a generated 2 000-component config like the library', () => {
    let text = 'config-version: 0.1\ncomponents:\n';
    for (let i = 0; i < 2000; i++) {
      text += `  c${i}:\n    type: ${i % 3 ? 'continuous' : 'scheduled'}\n    build:\n      repository: https://x.org/r${i}\n`;
      text += `    run:\n      command: "run ${i}"\n      schedule: '@daily'\n    wait-for: [${i > 0 ? `c${i - 1}` : ''}]\n`;
    }
    assert.deepEqual(readYamlFast(text), slow(text));
  });
});
