import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from './graph.js';
import { findCycles } from './cycles.js';

test('an acyclic graph has no cycles', () => {
  const g = new Graph().addEdge('a', 'b').addEdge('b', 'c').addEdge('a', 'c');
  assert.deepEqual(findCycles(g), []);
});

test('a cycle is reported as a closed path from its earliest-inserted vertex', () => {
  const g = new Graph().addVertex('a').addVertex('b').addVertex('c');
  g.addEdge('c', 'a').addEdge('b', 'c').addEdge('a', 'b');
  assert.deepEqual(findCycles(g), [['a', 'b', 'c', 'a']]);
});

test('self-loops and several components are each reported, in insertion order', () => {
  const g = new Graph();
  for (const v of ['x', 'p', 'q', 'self', 'free']) g.addVertex(v);
  g.addEdge('q', 'p').addEdge('p', 'q').addEdge('self', 'self').addEdge('x', 'p').addEdge('free', 'x');
  assert.deepEqual(findCycles(g), [
    ['p', 'q', 'p'],
    ['self', 'self'],
  ]);
});

test('the shortest way back is chosen inside a larger component', () => {
  // a → b → c → a and a → d → a: the two-step cycle through d is the shortest back to a.
  const g = new Graph()
    .addEdge('a', 'b')
    .addEdge('b', 'c')
    .addEdge('c', 'a')
    .addEdge('a', 'd')
    .addEdge('d', 'a');
  assert.deepEqual(findCycles(g), [['a', 'd', 'a']]);
});

test('equal graphs give equal results', () => {
  const build = () => new Graph().addEdge('m', 'n').addEdge('n', 'o').addEdge('o', 'm').addEdge('o', 'n');
  assert.deepEqual(findCycles(build()), findCycles(build()));
  assert.deepEqual(findCycles(build()), [['m', 'n', 'o', 'm']]);
});

test('a 100 000-vertex chain closing on itself does not overflow the stack', () => {
  const g = new Graph();
  const n = 100_000;
  for (let i = 0; i < n; i++) g.addEdge(`v${i}`, `v${(i + 1) % n}`);
  const [cycle] = findCycles(g);
  assert.equal(cycle?.length, n + 1);
  assert.equal(cycle?.[0], 'v0');
  assert.equal(cycle?.[n], 'v0');
});
