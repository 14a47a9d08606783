/**
 * Reachability helpers and transitive reduction. All iterative (explicit stacks), so deep chains are safe.
 */
import { Graph } from './graph.js';
import { topologicalIndices } from './topo.js';

/** Every vertex reachable from `id` through one or more edges (not `id` itself unless on a cycle). */
export function descendants(graph: Graph, id: string): Set<string> {
  return reach(graph, id, (v) => graph.successorIndices(v));
}

/** Every vertex from which `id` is reachable through one or more edges. */
export function ancestors(graph: Graph, id: string): Set<string> {
  return reach(graph, id, (v) => graph.predecessorIndices(v));
}

function reach(graph: Graph, id: string, next: (v: number) => readonly number[]): Set<string> {
  const start = graph.indexOf(id);
  const out = new Set<string>();
  if (start < 0) return out;
  const seen = new Uint8Array(graph.size);
  const stack = [...next(start)];
  while (stack.length > 0) {
    const v = stack.pop() as number;
    if (seen[v]) continue;
    seen[v] = 1;
    out.add(graph.idAt(v));
    for (const w of next(v)) if (!seen[w]) stack.push(w);
  }
  return out;
}

/**
 * The transitive reduction of an acyclic graph: the same vertices (same order) and the fewest edges with the
 * same reachability, i.e. an edge `u → w` is dropped when w is also reachable through another successor of u.
 * O(V · E) in the worst case; meant for plan-sized graphs and for display. Throws `CycleError` on a cycle.
 */
export function transitiveReduction(graph: Graph): Graph {
  const order = topologicalIndices(graph);
  const position = new Int32Array(graph.size);
  order.forEach((v, i) => (position[v] = i));
  const reduced = new Graph();
  for (const id of graph.vertices()) reduced.addVertex(id);
  const mark = new Int32Array(graph.size).fill(-1);
  for (let u = 0; u < graph.size; u++) {
    // Visit successors nearest-first: a successor reachable from an earlier-kept one is redundant.
    const succ = [...graph.successorIndices(u)].sort(
      (a, b) => (position[a] as number) - (position[b] as number),
    );
    for (const w of succ) {
      if (mark[w] === u) continue;
      reduced.addEdge(graph.idAt(u), graph.idAt(w));
      markReachable(graph, w, u, mark);
    }
  }
  // Keep each vertex's edges in the original edge order, not the nearest-first order used above.
  const ordered = new Graph();
  for (const id of graph.vertices()) ordered.addVertex(id);
  for (const id of graph.vertices())
    for (const to of graph.successors(id)) if (reduced.hasEdge(id, to)) ordered.addEdge(id, to);
  return ordered;
}

/** Marks with `stamp` every vertex reachable from `from` (exclusive), stopping at already-stamped ones. */
function markReachable(graph: Graph, from: number, stamp: number, mark: Int32Array): void {
  const stack = [...graph.successorIndices(from)];
  while (stack.length > 0) {
    const v = stack.pop() as number;
    if (mark[v] === stamp) continue;
    mark[v] = stamp;
    for (const w of graph.successorIndices(v)) if (mark[w] !== stamp) stack.push(w);
  }
}
