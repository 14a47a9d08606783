/**
 * Cycle detection: Tarjan's strongly connected components, iterative (an explicit stack instead of recursion,
 * so 100 000 vertices in a chain do not overflow the call stack), then one cycle path per component.
 */
import type { Graph } from './graph.js';

/**
 * Strongly connected components that contain a cycle (two or more vertices, or one vertex with a self-loop),
 * each as vertex indices. Order of components: by their earliest-inserted vertex.
 */
export function cyclicComponents(graph: Graph): number[][] {
  const n = graph.size;
  const index = new Int32Array(n).fill(-1);
  const lowlink = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  // The DFS call stack: vertex and the position of the next successor to visit.
  const callVertex = new Int32Array(n);
  const callEdge = new Int32Array(n);
  const components: number[][] = [];
  let counter = 0;

  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callVertex[0] = root;
    callEdge[0] = 0;
    index[root] = lowlink[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callVertex[depth] as number;
      const succ = graph.successorIndices(v);
      const e = callEdge[depth] as number;
      if (e < succ.length) {
        callEdge[depth] = e + 1;
        const w = succ[e] as number;
        if (index[w] === -1) {
          index[w] = lowlink[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          depth++;
          callVertex[depth] = w;
          callEdge[depth] = 0;
        } else if (onStack[w]) {
          lowlink[v] = Math.min(lowlink[v] as number, index[w] as number);
        }
        continue;
      }
      // v is finished: pop a component if v is its root, then return to the caller.
      if (lowlink[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || succ.includes(v)) components.push(component.sort((a, b) => a - b));
      }
      depth--;
      if (depth >= 0) {
        const caller = callVertex[depth] as number;
        lowlink[caller] = Math.min(lowlink[caller] as number, lowlink[v] as number);
      }
    }
  }
  return components.sort((a, b) => (a[0] as number) - (b[0] as number));
}

/**
 * Every cycle of the graph, one per strongly connected component, as a closed path of ids
 * (`['a', 'b', 'c', 'a']`). Each path starts at the component's earliest-inserted vertex and is the shortest
 * way back to it (breadth-first, successors in edge order), so the result is stable for equal inputs.
 * Paths are ordered by their first vertex's insertion order. An acyclic graph gives `[]`.
 */
export function findCycles(graph: Graph): string[][] {
  return cyclicComponents(graph).map((component) => cyclePath(graph, component));
}

function cyclePath(graph: Graph, component: readonly number[]): string[] {
  const start = component[0] as number;
  const inComponent = new Set(component);
  const parent = new Map<number, number>();
  const queue: number[] = [start];
  // Breadth-first from start, staying inside the component, until an edge leads back to start.
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head] as number;
    for (const w of graph.successorIndices(v)) {
      if (w === start) return pathTo(graph, parent, v, start);
      if (!inComponent.has(w) || parent.has(w)) continue;
      parent.set(w, v);
      queue.push(w);
    }
  }
  // Unreachable: every vertex of a strongly connected component reaches every other.
  throw new Error('cyclePath: component without a cycle');
}

function pathTo(graph: Graph, parent: ReadonlyMap<number, number>, last: number, start: number): string[] {
  const reversed: number[] = [last];
  for (let v = last; v !== start;) {
    v = parent.get(v) as number;
    reversed.push(v);
  }
  return [...reversed.reverse(), start].map((i) => graph.idAt(i));
}
