/**
 * The deployment's task DAG as an SVG, laid out on the server by dagre (layered, left to right): one node per
 * task, an edge per dependency labelled with its condition (completed / healthy / registered). Each node
 * carries `data-task-id` and `data-state`, so the client script recolours it and rewrites its texts from the
 * event stream without laying anything out again. Node kinds are open: a kind this module has not seen (a
 * one-off run, later) is drawn like the others with its kind as its label.
 */
import dagre from '@dagrejs/dagre';
import type { DeploymentTask } from '../model/deployment.js';
import type { PlanTask } from '../model/plan.js';
import { escapeHtml } from './html.js';
import { taskStateLabel } from './task-view.js';

const NODE_WIDTH = 230;
const NODE_HEIGHT = 66;
const REASON_CHARS = 34;

export interface DagTask {
  readonly id: string;
  readonly kind: string;
  readonly component: string;
  readonly state: string;
  readonly reason?: string;
  readonly dependsOn: readonly { readonly task: string; readonly condition: string }[];
}

/** The stored tasks joined with their plan tasks (which hold the edges). */
export function dagTasks(planTasks: readonly PlanTask[], tasks: readonly DeploymentTask[]): DagTask[] {
  const planned = new Map(planTasks.map((t) => [t.id, t]));
  return tasks.map((task) => ({
    id: task.id,
    kind: task.kind,
    component: task.component,
    state: task.state,
    ...(task.reason !== undefined ? { reason: task.reason } : {}),
    dependsOn: planned.get(task.id)?.dependsOn ?? [],
  }));
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const n = (value: number): string => String(Math.round(value * 10) / 10);

function nodeSvg(task: DagTask, x: number, y: number): string {
  const left = x - NODE_WIDTH / 2;
  const top = y - NODE_HEIGHT / 2;
  const reason = task.reason ?? '';
  const e = escapeHtml;
  return [
    `<g class="task kind-${e(task.kind)} state-${e(task.state)}" data-task-id="${e(task.id)}"`,
    ` data-component="${e(task.component)}" data-kind="${e(task.kind)}" data-state="${e(task.state)}"`,
    ` tabindex="0" role="button" aria-label="${e(`${task.kind} ${task.component}: ${task.state}`)}">`,
    `<title>${e(`${task.id}: ${task.state}${reason ? ` — ${reason}` : ''}`)}</title>`,
    `<rect x="${n(left)}" y="${n(top)}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="8"/>`,
    `<text class="task-name" x="${n(left + 10)}" y="${n(top + 19)}">`,
    `<tspan class="task-kind">${e(task.kind)}</tspan> ${e(task.component)}</text>`,
    `<text class="task-state" x="${n(left + 10)}" y="${n(top + 38)}">${e(taskStateLabel(task.state))}</text>`,
    `<text class="task-reason" x="${n(left + 10)}" y="${n(top + 56)}">${e(shorten(reason, REASON_CHARS))}</text>`,
    `</g>`,
  ].join('');
}

function edgeSvg(
  from: string,
  to: string,
  condition: string,
  points: readonly { x: number; y: number }[],
  label: { x: number; y: number },
): string {
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(p.x)},${n(p.y)}`).join(' ');
  const e = escapeHtml;
  return (
    `<g class="edge condition-${e(condition)}" data-from="${e(from)}" data-to="${e(to)}">` +
    `<path d="${d}" marker-end="url(#arrow)"/>` +
    `<text class="edge-label" x="${n(label.x)}" y="${n(label.y)}" text-anchor="middle">${e(condition)}</text></g>`
  );
}

export function dagSvg(tasks: readonly DagTask[]): string {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 70, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(tasks.map((t) => t.id));
  for (const task of tasks) graph.setNode(task.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const task of tasks)
    for (const dep of task.dependsOn)
      if (ids.has(dep.task))
        graph.setEdge(dep.task, task.id, { label: dep.condition, width: 70, height: 14, labelpos: 'c' });
  dagre.layout(graph);
  const { width = 0, height = 0 } = graph.graph();
  const edges = graph.edges().map((edge: { v: string; w: string }) => {
    const laid = graph.edge(edge);
    return edgeSvg(edge.v, edge.w, String(laid.label ?? ''), laid.points ?? [], {
      x: laid.x ?? 0,
      y: (laid.y ?? 0) - 4,
    });
  });
  const nodes = tasks.map((task) => {
    const laid = graph.node(task.id);
    return nodeSvg(task, laid.x, laid.y);
  });
  return [
    `<svg class="dag" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n(width)} ${n(height)}"`,
    ` width="${n(width)}" height="${n(height)}" role="group" aria-label="Task graph">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7"`,
    ` orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>`,
    ...edges,
    ...nodes,
    `</svg>`,
  ].join('');
}
