/**
 * Topological order with Kahn's algorithm. Among vertices that are ready at the same time, the earliest
 * inserted goes first (a binary min-heap keyed by insertion index), so "config order breaks ties" holds for
 * every caller without a second sort.
 */
import { findCycles } from './cycles.js';
import type { Graph } from './graph.js';

/** Thrown when an order is asked of a graph with a cycle; `path` is the first cycle, closed (`a, b, a`). */
export class CycleError extends Error {
  readonly path: readonly string[];
  constructor(path: readonly string[]) {
    super(`dependency cycle: ${path.join(' -> ')}`);
    this.name = 'CycleError';
    this.path = path;
  }
}

/** Vertices such that every edge goes forward; O((V + E) log V). Throws `CycleError` on a cycle. */
export function topologicalOrder(graph: Graph): string[] {
  return topologicalIndices(graph).map((i) => graph.idAt(i));
}

/** `topologicalOrder` as insertion indices (for callers that keep their own arrays). */
export function topologicalIndices(graph: Graph): number[] {
  const n = graph.size;
  const inDegree = new Int32Array(n);
  for (let v = 0; v < n; v++) inDegree[v] = graph.predecessorIndices(v).length;
  const heap = new MinHeap(n);
  for (let v = 0; v < n; v++) if (inDegree[v] === 0) heap.push(v);
  const order: number[] = [];
  while (heap.size > 0) {
    const v = heap.pop();
    order.push(v);
    for (const w of graph.successorIndices(v)) {
      inDegree[w] = (inDegree[w] as number) - 1;
      if (inDegree[w] === 0) heap.push(w);
    }
  }
  if (order.length < n) {
    const [first] = findCycles(graph);
    throw new CycleError(first ?? []);
  }
  return order;
}

/** Binary min-heap of small non-negative integers, backed by a typed array of fixed capacity. */
class MinHeap {
  readonly #items: Int32Array;
  #size = 0;
  constructor(capacity: number) {
    this.#items = new Int32Array(Math.max(1, capacity));
  }
  get size(): number {
    return this.#size;
  }
  push(value: number): void {
    const items = this.#items;
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as number) <= value) break;
      items[i] = items[parent] as number;
      i = parent;
    }
    items[i] = value;
  }
  pop(): number {
    const items = this.#items;
    const top = items[0] as number;
    const last = items[--this.#size] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.#size) break;
      if (child + 1 < this.#size && (items[child + 1] as number) < (items[child] as number)) child++;
      if ((items[child] as number) >= last) break;
      items[i] = items[child] as number;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
