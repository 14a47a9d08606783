/**
 * The task DAG. Vertices are inserted in config order (each component's build, then its deploy; deletes
 * last), which is the order that breaks ties when the tasks are sorted.
 *
 * Edges:
 * - `build:O → deploy:X` (completed) when X runs the image O's build task produces (X itself, a reuse-from
 *   child, or a component sharing O's build);
 * - `deploy:D → deploy:X` when X waits for D: a continuous D must be healthy, a scheduled D registered, a
 *   one-off D completed (run to exit 0). A D without a deploy task (its job is a no-op, or it is not selected) already runs as configured, so it
 *   satisfies the wait and the edge is dropped;
 * - every other task → `delete:O`: deletes run last, once everything else has finished.
 */
import type { Component } from '../../model/tool-config.js';
import type { PlanContext } from '../plan-context.js';
import { addDependency, addTask, buildTaskId, deleteTaskId, deployTaskId } from '../plan-context.js';

function hasBuildTask(ctx: PlanContext, i: number): boolean {
  const kind = ctx.builds[i]?.kind;
  // A component sharing (or following) an earlier one's build has no task of its own: the owner's serves both.
  return (kind === 'build' || kind === 'follow-build') && ctx.images[i]?.buildTask === i;
}

function hasDeployTask(ctx: PlanContext, i: number): boolean {
  const kind = ctx.jobDecisions[i]?.kind;
  return kind === 'create' || kind === 'update' || kind === 'restart' || kind === 'run';
}

/** `build:X` for each component that owns a new or followed build, `deploy:X` for each job to change. */
export function addBuildAndDeployTasks(ctx: PlanContext): void {
  const components = ctx.config.components;
  for (let i = 0; i < components.length; i++) {
    const name = (components[i] as Component).name;
    if (hasBuildTask(ctx, i)) ctx.buildVertex[i] = addTask(ctx, buildTaskId(name));
    if (hasDeployTask(ctx, i)) ctx.deployVertex[i] = addTask(ctx, deployTaskId(name));
  }
}

export function addImageEdges(ctx: PlanContext): void {
  for (let i = 0; i < ctx.config.components.length; i++) {
    const deploy = ctx.deployVertex[i] as number;
    const owner = ctx.images[i]?.buildTask;
    if (deploy < 0 || owner === undefined) continue;
    const build = ctx.buildVertex[owner] as number;
    if (build >= 0) addDependency(ctx, build, deploy, 'completed');
  }
}

/** A one-off dependency must have run to completion (exit 0); its task succeeds only then. */
function waitCondition(dependency: Component): 'healthy' | 'registered' | 'completed' {
  if (dependency.type === 'one-off') return 'completed';
  return dependency.type === 'continuous' ? 'healthy' : 'registered';
}

export function addWaitForEdges(ctx: PlanContext): void {
  const components = ctx.config.components;
  for (let i = 0; i < components.length; i++) {
    const deploy = ctx.deployVertex[i] as number;
    if (deploy < 0) continue;
    for (const name of (components[i] as Component).waitFor) {
      const d = ctx.index.get(name);
      if (d === undefined || (ctx.deployVertex[d] as number) < 0) continue;
      addDependency(ctx, ctx.deployVertex[d] as number, deploy, waitCondition(components[d] as Component));
    }
  }
}

/** Deletes depend on every sink of the rest of the graph, which makes them wait for all other tasks. */
export function addDeleteTasks(ctx: PlanContext): void {
  const deletes = ctx.orphans.filter((o) => o.job.kind === 'delete');
  if (deletes.length === 0) return;
  const sinks: number[] = [];
  for (let i = 0; i < ctx.graph.size; i++) if (ctx.graph.successorIndices(i).length === 0) sinks.push(i);
  for (const orphan of deletes) {
    const task = addTask(ctx, deleteTaskId(orphan.name));
    for (const sink of sinks) addDependency(ctx, sink, task, 'completed');
  }
}
