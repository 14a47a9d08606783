import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from './graph.js';
import { CycleError, topologicalOrder } from './topo.js';

test('every edge goes forward and ties follow insertion order', () => {
  const g = new Graph();
  for (const v of ['cleanup', 'api', 'flower', 'lone']) g.addVertex(v);
  g.addEdge('api', 'cleanup').addEdge('api', 'flower');
  assert.deepEqual(topologicalOrder(g), ['api', 'cleanup', 'flower', 'lone']);
});

test('a vertex becomes ready only after all its predecessors', () => {
  const g = new Graph();
  for (const v of ['d', 'c', 'b', 'a']) g.addVertex(v);
  g.addEdge('a', 'd').addEdge('b', 'd').addEdge('c', 'a');
  assert.deepEqual(topologicalOrder(g), ['c', 'b', 'a', 'd']);
});

test('a cycle throws CycleError with the path', () => {
  const g = new Graph().addEdge('a', 'b').addEdge('b', 'c').addEdge('c', 'b');
  assert.throws(
    () => topologicalOrder(g),
    (error: unknown) =>
      error instanceof CycleError &&
      error.path.join(',') === 'b,c,b' &&
      error.message === 'dependency cycle: b -> c -> b',
  );
});

test('a long chain inserted in reverse is ordered without recursion', () => {
  const g = new Graph();
  const n = 100_000;
  for (let i = n - 1; i >= 0; i--) g.addVertex(`v${i}`);
  for (let i = 0; i + 1 < n; i++) g.addEdge(`v${i}`, `v${i + 1}`);
  const order = topologicalOrder(g);
  assert.equal(order[0], 'v0');
  assert.equal(order[n - 1], `v${n - 1}`);
});

test('an empty graph has an empty order', () => {
  assert.deepEqual(topologicalOrder(new Graph()), []);
});
