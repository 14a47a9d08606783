import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DiagnosticSink } from './diagnostic-sink.js';
import { readJsonFast } from './read-json-fast.js';
import { readYaml } from './read-yaml.js';

const TOOLHUNT = parse(
  readFileSync(new URL('../../examples/toolhunt/toolforge.yaml', import.meta.url), 'utf8'),
);

function slow(text: string) {
  const sink = new DiagnosticSink();
  const tree = readYaml(text, sink);
  assert.equal(sink.hasErrors, false, `the yaml library rejects:\n${text}`);
  return tree;
}

const SAME = [
  JSON.stringify(TOOLHUNT),
  JSON.stringify(TOOLHUNT, null, 2),
  JSON.stringify(TOOLHUNT, null, '\t'),
  '{}',
  ' \n{ "a" : [ ] , "b" : { } , "c":null,"d":true,"e":false }\n',
  '{"n": [0, -1, 2.5, 1e3, -2.5E-2, 12345678901234567890], "s": ["", "a\\"b", "\\\\", "\\u00e9\\n\\t", "\\ud83d\\ude00", "é ✓"]}',
  '{"components": {"a": {"run": {"command": "bash -c \\"echo {x}: [y] # z\\""}}}}',
  '{\r\n  "crlf": 1\r\n}',
];

const GIVE_UP = [
  '[1, 2]',
  '"a string"',
  '{"a": 1,}',
  '{"a": 1 "b": 2}',
  '{"a": 1, "a": 2}',
  '{a: 1}',
  "{'a': 1}",
  '{"a": 01}',
  '{"a": -0}',
  '{"a": +1}',
  '{"a": .5}',
  '{"a": NaN}',
  '{"a": "line\nbreak"}',
  '{"a": "\\x"}',
  '{"a": tru}',
  '{"a": 1} trailing',
  '{"a": 1}\n---\n{}',
  '{"a": [1, 2}',
  '{"a": 1',
  '{"a": 1} # comment',
  `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`,
];

describe('readJsonFast', () => {
  it('reads JSON exactly like the yaml library (values and offsets)', () => {
    for (const text of SAME) {
      const fast = readJsonFast(text);
      assert.ok(fast, `fast reader gave up on:\n${text}`);
      assert.deepEqual(fast, slow(text), text);
    }
  });

  it('gives up on anything that is not strict JSON with an object at the top', () => {
    for (const text of GIVE_UP) assert.equal(readJsonFast(text), undefined, text);
  });
});
