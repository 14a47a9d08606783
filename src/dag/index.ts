/** Generic directed-graph library (no domain imports): build a `Graph`, then order, check or reduce it. */
export { Graph } from './graph.js';
export { findCycles, cyclicComponents } from './cycles.js';
export { topologicalOrder, topologicalIndices, CycleError } from './topo.js';
export { descendants, ancestors, transitiveReduction } from './reduce.js';
