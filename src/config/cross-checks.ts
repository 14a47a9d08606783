/**
 * Checks between components, run after every component was read: references to missing components, reuse
 * chains (upstream allows one level only), a component waiting for or reusing itself, and dependency cycles
 * through wait-for and reuse edges. Linear in components + references; suggestions are computed only for the
 * first few misses so that a file full of bad names stays fast.
 */
import { findCycles, Graph } from '../dag/index.js';
import type { DiagnosticSink } from './diagnostic-sink.js';
import { spell } from './field-names.js';
import { suggest } from './suggest.js';
import type { ConfigDialect } from './tool-config.js';
import type { ComponentDraft, ComponentRef } from './validate-component.js';

const MAX_SUGGESTIONS = 50;

interface Edge {
  readonly kind: 'wait' | 'reuse';
  readonly ref: ComponentRef;
}

export function checkReferences(drafts: readonly ComponentDraft[], dialect: ConfigDialect, sink: DiagnosticSink): void {
  const byName = new Map<string, ComponentDraft>();
  for (const draft of drafts) if (!byName.has(draft.name)) byName.set(draft.name, draft);
  const names = { all: [...byName.keys()], suggestionsLeft: MAX_SUGGESTIONS };
  const didYouMean = (target: string): string | undefined => {
    if (names.suggestionsLeft <= 0) return undefined;
    names.suggestionsLeft--;
    return suggest(target, names.all);
  };
  const reuseName = spell('reuse_from', dialect);
  const edges = new Map<string, Edge[]>();
  const addEdge = (from: string, edge: Edge) => {
    const list = edges.get(from);
    if (list) list.push(edge);
    else edges.set(from, [edge]);
  };

  for (const draft of drafts) {
    const reuse = draft.reuse;
    if (reuse) {
      const parent = byName.get(reuse.target);
      if (reuse.target === draft.name) {
        sink.error(reuse.path, `a component cannot reuse its own build (${reuseName}: ${draft.name})`, reuse.offset);
      } else if (!parent) {
        const close = didYouMean(reuse.target);
        const hint = close ? `did you mean "${close}"?` : undefined;
        sink.error(reuse.path, `Missing components referenced from ${reuseName}: ${reuse.target}`, reuse.offset, hint);
      } else {
        if (parent.reuse) reportChain(sink, reuse, parent, reuseName);
        addEdge(draft.name, { kind: 'reuse', ref: reuse });
      }
    }
    for (const wait of draft.waitFor) {
      if (wait.target === draft.name) {
        sink.error(wait.path, `a component cannot wait for itself`, wait.offset);
      } else if (!byName.has(wait.target)) {
        const close = didYouMean(wait.target);
        const suffix = close ? ` (did you mean "${close}"?)` : '';
        sink.error(wait.path, `unknown component "${wait.target}"${suffix}`, wait.offset);
      } else {
        addEdge(draft.name, { kind: 'wait', ref: wait });
      }
    }
  }
  reportCycles(drafts, edges, dialect, sink);
}

/** Upstream's chained-reuse message names the middle component; the hint names where to point instead. */
function reportChain(sink: DiagnosticSink, reuse: ComponentRef, parent: ComponentDraft, reuseName: string): void {
  const origin = parent.reuse?.target;
  const hint = origin && origin !== parent.name ? `"${parent.name}" itself reuses "${origin}"` : undefined;
  sink.error(
    reuse.path,
    `The following components reuse builds from components that also use ${reuseName}. ` +
      `They should point to the original components instead: ${parent.name}`,
    reuse.offset,
    hint,
  );
}

/**
 * One diagnostic per cycle (per strongly connected component), located at the cycle's first edge, starting
 * from the component that comes first in the config; the message lists where each edge is written.
 */
function reportCycles(
  drafts: readonly ComponentDraft[],
  edges: ReadonlyMap<string, readonly Edge[]>,
  dialect: ConfigDialect,
  sink: DiagnosticSink,
): void {
  // Edge a → b: "a waits for (or reuses) b". Vertices in config order, so cycles start at the earliest one.
  const graph = new Graph();
  for (const draft of drafts) graph.addVertex(draft.name);
  for (const [from, list] of edges) for (const edge of list) graph.addEdge(from, edge.ref.target);
  if (graph.edgeCount === 0) return;
  for (const cycle of findCycles(graph)) {
    const steps: Edge[] = [];
    for (let i = 0; i + 1 < cycle.length; i++) {
      const from = cycle[i] as string;
      const to = cycle[i + 1] as string;
      const edge = edges.get(from)?.find((e) => e.ref.target === to);
      if (edge) steps.push(edge);
    }
    const first = steps[0];
    if (!first) continue;
    const details = steps.map((edge, i) => describeEdge(cycle[i] as string, edge, dialect, sink)).join(', ');
    sink.error(first.ref.path, `dependency cycle: ${cycle.join(' -> ')} (${details})`, first.ref.offset);
  }
}

function describeEdge(from: string, edge: Edge, dialect: ConfigDialect, sink: DiagnosticSink): string {
  const field = spell(edge.kind === 'wait' ? 'wait_for' : 'reuse_from', dialect);
  const where = sink.describeOffset(edge.ref.offset);
  return `${from} ${field} ${edge.ref.target}${where ? ` at ${where}` : ''}`;
}
