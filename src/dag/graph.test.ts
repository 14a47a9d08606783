import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from './graph.js';

test('vertices keep insertion order and re-adding is a no-op', () => {
  const g = new Graph().addVertex('b').addVertex('a').addVertex('b');
  assert.deepEqual(g.vertices(), ['b', 'a']);
  assert.equal(g.size, 2);
  assert.ok(g.hasVertex('a'));
  assert.ok(!g.hasVertex('c'));
});

test('edges add missing vertices, ignore duplicates and keep edge order', () => {
  const g = new Graph().addEdge('a', 'c').addEdge('a', 'b').addEdge('a', 'c').addEdge('d', 'b');
  assert.deepEqual(g.vertices(), ['a', 'c', 'b', 'd']);
  assert.equal(g.edgeCount, 3);
  assert.deepEqual(g.successors('a'), ['c', 'b']);
  assert.deepEqual(g.predecessors('b'), ['a', 'd']);
  assert.deepEqual(g.successors('zzz'), []);
  assert.ok(g.hasEdge('a', 'c'));
  assert.ok(!g.hasEdge('c', 'a'));
  assert.equal(g.indexOf('b'), 2);
  assert.equal(g.indexOf('nope'), -1);
  assert.throws(() => g.idAt(9), RangeError);
});

test('toString lists each vertex with its successors', () => {
  const g = new Graph().addVertex('x').addEdge('a', 'b').addEdge('a', 'x');
  assert.equal(g.toString(), 'x\na\n  b\n  x\nb');
});
