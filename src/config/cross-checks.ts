/**
 * Checks between components, run after every component was read: references to missing components, reuse
 * chains (upstream allows one level only), a component waiting for or reusing itself, and dependency cycles.
 *
 * Cycles are looked for on the deployment's task graph, not on the components: `reuse-from` makes a
 * component's deploy wait for its parent's *build*, and `wait-for` makes it wait for the other component's
 * *deploy*. A build waits for nothing, so a reuse edge can never close a cycle: `migrate` reusing `api`'s image
 * while `api` waits for `migrate` deploys as build api → deploy migrate → deploy api. Only wait-for edges can
 * deadlock. Linear in components + references; suggestions are computed only for the first few misses so that
 * a file full of bad names stays fast.
 */
import { findCycles, Graph } from '../dag/index.js';
import type { DiagnosticSink } from './diagnostic-sink.js';
import { spell } from './field-names.js';
import { suggest } from './suggest.js';
import type { ConfigDialect } from '../model/tool-config.js';
import type { ComponentDraft, ComponentRef } from './validate-component.js';

const MAX_SUGGESTIONS = 50;

interface Edge {
  readonly kind: 'wait' | 'reuse';
  readonly ref: ComponentRef;
}

/**
 * The task graph every component would have if all of them were built and deployed: vertex `2i` is component
 * i's build, `2i + 1` its deploy. `targets[v]` are the vertices task v waits for; `refs[v]` the config entries
 * that made those edges, in the same order.
 */
interface TaskEdges {
  readonly targets: number[][];
  readonly refs: Edge[][];
}

const buildVertex = (component: number): number => 2 * component;
const deployVertex = (component: number): number => 2 * component + 1;

export function checkReferences(
  drafts: readonly ComponentDraft[],
  dialect: ConfigDialect,
  sink: DiagnosticSink,
): void {
  const indexOf = new Map<string, number>();
  drafts.forEach((draft, i) => {
    if (!indexOf.has(draft.name)) indexOf.set(draft.name, i);
  });
  let suggestionsLeft = MAX_SUGGESTIONS;
  let allNames: string[] | undefined;
  const didYouMean = (target: string): string | undefined => {
    if (suggestionsLeft <= 0) return undefined;
    suggestionsLeft--;
    return suggest(target, (allNames ??= [...indexOf.keys()]));
  };
  const reuseName = spell('reuse_from', dialect);
  const edges: TaskEdges = { targets: [], refs: [] };
  for (let v = 0; v < 2 * drafts.length; v++) {
    edges.targets.push([]);
    edges.refs.push([]);
  }
  let edgeCount = 0;
  const addEdge = (from: number, to: number, edge: Edge) => {
    edges.targets[from]?.push(to);
    edges.refs[from]?.push(edge);
    edgeCount++;
  };

  drafts.forEach((draft, from) => {
    const reuse = draft.reuse;
    if (reuse) {
      const parent = indexOf.get(reuse.target);
      if (reuse.target === draft.name) {
        sink.error(
          'CMP_ERR_CONFIG_SELF_REFERENCE',
          reuse.path,
          `a component cannot reuse its own build (${reuseName}: ${draft.name})`,
          reuse.offset,
        );
      } else if (parent === undefined) {
        const close = didYouMean(reuse.target);
        const hint = close ? `did you mean "${close}"?` : undefined;
        sink.error(
          'CMP_ERR_CONFIG_UNKNOWN_REFERENCE',
          reuse.path,
          `Missing components referenced from ${reuseName}: ${reuse.target}`,
          reuse.offset,
          hint,
        );
      } else {
        const parentDraft = drafts[parent] as ComponentDraft;
        if (parentDraft.reuse) reportChain(sink, reuse, parentDraft, reuseName);
        // The child's deploy runs the parent's image: it waits for the parent's build, not its deploy.
        addEdge(deployVertex(from), buildVertex(parent), { kind: 'reuse', ref: reuse });
      }
    }
    for (const wait of draft.waitFor) {
      const target = indexOf.get(wait.target);
      if (wait.target === draft.name) {
        sink.error(
          'CMP_ERR_CONFIG_SELF_REFERENCE',
          wait.path,
          `a component cannot wait for itself`,
          wait.offset,
        );
      } else if (target === undefined) {
        const close = didYouMean(wait.target);
        const suffix = close ? ` (did you mean "${close}"?)` : '';
        sink.error(
          'CMP_ERR_CONFIG_UNKNOWN_REFERENCE',
          wait.path,
          `unknown component "${wait.target}"${suffix}`,
          wait.offset,
        );
      } else {
        addEdge(deployVertex(from), deployVertex(target), { kind: 'wait', ref: wait });
      }
    }
  });
  if (edgeCount > 0 && hasCycle(edges.targets)) reportCycles(drafts, edges, dialect, sink);
}

/** Kahn's algorithm on plain index arrays: the cheap yes/no that spares a clean config the graph build. */
function hasCycle(targets: readonly (readonly number[])[]): boolean {
  const n = targets.length;
  const indegree = new Int32Array(n);
  for (const list of targets) for (const to of list) indegree[to] = (indegree[to] ?? 0) + 1;
  const queue = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue[tail++] = i;
  for (let head = 0; head < tail; head++) {
    for (const to of targets[queue[head] as number] ?? []) {
      indegree[to] = (indegree[to] as number) - 1;
      if (indegree[to] === 0) queue[tail++] = to;
    }
  }
  return tail < n;
}

/** Upstream's chained-reuse message names the middle component; the hint names where to point instead. */
function reportChain(
  sink: DiagnosticSink,
  reuse: ComponentRef,
  parent: ComponentDraft,
  reuseName: string,
): void {
  const origin = parent.reuse?.target;
  const hint = origin && origin !== parent.name ? `"${parent.name}" itself reuses "${origin}"` : undefined;
  sink.error(
    'CMP_ERR_CONFIG_CHAINED_REUSE',
    reuse.path,
    `The following components reuse builds from components that also use ${reuseName}. ` +
      `They should point to the original components instead: ${parent.name}`,
    reuse.offset,
    hint,
  );
}

/**
 * One diagnostic per cycle (per strongly connected component of the task graph, found by the dag library),
 * located at the cycle's first edge, starting from the component that comes first in the config; the message
 * names the components and lists where each edge is written.
 */
function reportCycles(
  drafts: readonly ComponentDraft[],
  edges: TaskEdges,
  dialect: ConfigDialect,
  sink: DiagnosticSink,
): void {
  // Vertices in config order (each component's build, then its deploy), so cycles start at the earliest one.
  const graph = new Graph();
  for (const draft of drafts) graph.addVertex(`build:${draft.name}`).addVertex(`deploy:${draft.name}`);
  edges.targets.forEach((list, from) => {
    for (const to of list) graph.addEdgeByIndex(from, to);
  });
  for (const cycle of findCycles(graph)) {
    const vertices = cycle.map((id) => graph.indexOf(id));
    const steps: Edge[] = [];
    for (let i = 0; i + 1 < vertices.length; i++) {
      const from = vertices[i] as number;
      const at = edges.targets[from]?.indexOf(vertices[i + 1] as number) ?? -1;
      const edge = edges.refs[from]?.[at];
      if (edge) steps.push(edge);
    }
    const first = steps[0];
    if (!first) continue;
    const names = vertices.map((v) => (drafts[v >> 1] as ComponentDraft).name);
    const details = steps.map((edge, i) => describeEdge(names[i] as string, edge, dialect, sink)).join(', ');
    sink.error(
      'CMP_ERR_CONFIG_DEPENDENCY_CYCLE',
      first.ref.path,
      `dependency cycle: ${names.join(' -> ')} (${details})`,
      first.ref.offset,
    );
  }
}

function describeEdge(from: string, edge: Edge, dialect: ConfigDialect, sink: DiagnosticSink): string {
  const field = spell(edge.kind === 'wait' ? 'wait_for' : 'reuse_from', dialect);
  const where = sink.describeOffset(edge.ref.offset);
  return `${from} ${field} ${edge.ref.target}${where ? ` at ${where}` : ''}`;
}
