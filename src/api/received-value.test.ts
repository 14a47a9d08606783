import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonStr, receivedSuffix, valueAtPath } from './received-value.js';

test("pythonStr is Python's str(): strings as is, repr inside containers", () => {
  assert.equal(pythonStr('ftp://x'), 'ftp://x');
  assert.equal(pythonStr(0), '0');
  assert.equal(pythonStr(true), 'True');
  assert.equal(pythonStr(false), 'False');
  assert.equal(pythonStr(null), 'None');
  assert.equal(pythonStr({ a: 1 }), "{'a': 1}");
  assert.equal(pythonStr(['x']), "['x']");
  assert.equal(pythonStr([]), '[]');
  assert.equal(
    pythonStr({ repository: 'ftp://x', ref: 'main', opts: [1, null, true, 0.5] }),
    "{'repository': 'ftp://x', 'ref': 'main', 'opts': [1, None, True, 0.5]}",
  );
});

test('pythonStr quotes and escapes strings inside containers as repr does', () => {
  assert.equal(pythonStr(["it's"]), `["it's"]`);
  assert.equal(pythonStr([`a"b'c`]), `['a"b\\'c']`);
  assert.equal(pythonStr(['a\nb\t\\']), "['a\\nb\\t\\\\']");
  assert.equal(pythonStr(['\u0001é']), "['\\x01é']");
});

test("pythonStr formats floats as Python's repr", () => {
  assert.equal(pythonStr(0.00001), '1e-05');
  assert.equal(pythonStr(0.0001), '0.0001');
  assert.equal(pythonStr(1.25e-7), '1.25e-07');
  assert.equal(pythonStr(123.5), '123.5');
  assert.equal(pythonStr(Number.POSITIVE_INFINITY), 'inf');
});

test("receivedSuffix is upstream's sentence", () => {
  assert.equal(receivedSuffix({ a: 'b' }), ". Received value: '{'a': 'b'}'");
});

test('valueAtPath follows dotted keys and list positions, and tells absent from null', () => {
  const doc = { components: { 'a.b': { run: [{ x: null }] }, a: { run: 1 } } };
  assert.deepEqual(valueAtPath(doc, 'components.a.b.run[0].x'), { value: null });
  assert.deepEqual(valueAtPath(doc, 'components.a.run'), { value: 1 });
  assert.deepEqual(valueAtPath(doc, ''), { value: doc });
  assert.equal(valueAtPath(doc, 'components.a.b.run[1]'), undefined);
  assert.equal(valueAtPath(doc, 'components.c'), undefined);
  assert.equal(valueAtPath(doc, 'components.a.run.deeper'), undefined);
});
