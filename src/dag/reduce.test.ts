import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from './graph.js';
import { ancestors, descendants, transitiveReduction } from './reduce.js';
import { CycleError } from './topo.js';

function diamond(): Graph {
  return new Graph()
    .addEdge('a', 'b')
    .addEdge('a', 'c')
    .addEdge('b', 'd')
    .addEdge('c', 'd')
    .addEdge('a', 'd');
}

test('descendants and ancestors follow edges transitively', () => {
  const g = diamond().addVertex('e');
  assert.deepEqual([...descendants(g, 'a')].sort(), ['b', 'c', 'd']);
  assert.deepEqual([...ancestors(g, 'd')].sort(), ['a', 'b', 'c']);
  assert.deepEqual([...descendants(g, 'e')], []);
  assert.deepEqual([...descendants(g, 'unknown')], []);
});

test('a vertex on a cycle is its own descendant', () => {
  const g = new Graph().addEdge('a', 'b').addEdge('b', 'a');
  assert.deepEqual([...descendants(g, 'a')].sort(), ['a', 'b']);
});

test('transitive reduction drops implied edges and keeps the rest in order', () => {
  const reduced = transitiveReduction(diamond());
  assert.equal(reduced.edgeCount, 4);
  assert.ok(!reduced.hasEdge('a', 'd'));
  assert.equal(reduced.toString(), 'a\n  b\n  c\nb\n  d\nc\n  d\nd');
});

test('transitive reduction of a chain with shortcuts is the chain', () => {
  const g = new Graph()
    .addEdge('a', 'c')
    .addEdge('a', 'b')
    .addEdge('b', 'c')
    .addEdge('c', 'd')
    .addEdge('a', 'd');
  assert.equal(transitiveReduction(g).toString(), 'a\n  b\nc\n  d\nb\n  c\nd');
});

test('transitive reduction refuses a cycle', () => {
  assert.throws(() => transitiveReduction(new Graph().addEdge('a', 'b').addEdge('b', 'a')), CycleError);
});
